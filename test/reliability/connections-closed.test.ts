// Scenario 2: every connection on the broker is force-closed (rabbitmqctl close_all_connections), three
// times, under a steady stream. This closes other clients' connections on the shared broker too; they are
// expected to reconnect as ours do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeAllConnections } from './support/broker-faults.ts';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  duplicatesAbsorbed,
  reconnects,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { startLoad } from '@goblog/testkit';
import type { LoadStats } from '@goblog/testkit';
import { moreVipReads } from './support/traffic.ts';

void describe('scenario 2: all connections force-closed, three times, under a steady stream', () => {
  let landscape: Landscape | undefined;

  before(async () => {
    landscape = await startLandscape({ label: 'close-connections' });
  });
  after(async () => {
    await landscape?.close();
  });

  void it(
    'answers every VIP read 200, counts each exactly once, and is UP again after each close',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      const recoveryMs: number[] = [];
      let stats: LoadStats;
      try {
        for (let round = 0; round < 3; round++) {
          await moreVipReads(load, 300);
          await closeAllConnections();
          recoveryMs.push(await waitAllUp(l.all()));
        }
        await moreVipReads(load, 300);
      } finally {
        stats = await load.stop();
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      assert.deepEqual(stats.otherStatuses, {});
      assert.deepEqual(stats.noAnswer, {});
      assertNoUnexpectedExit(l);
      // Each close was a real fault: every service lost its connection and reconnected, three times.
      for (const s of l.all())
        assert.ok(reconnects(s) >= 3, `${s.name}:${s.port} reconnected ${reconnects(s)} times`);
      await reportFigures(t, 'close_all_connections x3', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        recoveryMs,
        slowestAnswerMs: stats.slowestMs,
        drainMs,
        reconnects: l.all().map(reconnects),
        ratePerSecond: Math.round((stats.sent * 1000) / stats.durationMs),
      });
    },
  );
});
