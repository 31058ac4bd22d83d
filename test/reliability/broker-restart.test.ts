// Scenario 1: the broker application stops for 5 s and starts again (rabbitmqctl stop_app / start_app),
// twice, under a steady stream of VIP and non-VIP reads. This disturbs every client of the shared broker for
// those seconds; the broker is started again in `after`, whatever happened.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startLoad, waitUntil } from '@goblog/testkit';
import type { LoadStats } from '@goblog/testkit';
import { restoreBroker, startBroker, stopBroker } from './support/broker-faults.ts';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  duplicatesAbsorbed,
  health,
  reconnects,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { HANG_GUARD_MS, SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { moreVipReads } from './support/traffic.ts';

const OUTAGE_MS = 5000;

void describe('scenario 1: broker restart, twice, under a steady stream', () => {
  let landscape: Landscape | undefined;

  before(async () => {
    landscape = await startLandscape({ label: 'broker-restart' });
  });
  after(async () => {
    // The landscape is closed even when the broker cannot be restored (.ci/run's trap restarts it then).
    try {
      await restoreBroker();
    } finally {
      await landscape?.close();
    }
  });

  void it(
    'answers every VIP read 200, counts each exactly once, and is UP again after each restart',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      const recoveryMs: number[] = [];
      const stopAppMs: number[] = [];
      const startAppMs: number[] = [];
      const allDownMs: number[] = [];
      let stats: LoadStats;
      try {
        for (let round = 0; round < 2; round++) {
          await moreVipReads(load, 300);
          const stopping = Date.now();
          await stopBroker();
          stopAppMs.push(Date.now() - stopping);
          // While the broker is away every service says so on /health (how soon is a figure; the bound is a
          // hang guard); the outage lasts OUTAGE_MS, or until every service was seen DOWN if that is later.
          const downSeen = new Set<string>();
          const stopped = Date.now();
          await Promise.all([
            delay(OUTAGE_MS),
            waitUntil(
              async () => {
                for (const s of l.all())
                  if ((await health(s)).status === 503) downSeen.add(`${s.name}:${s.port}`);
                return downSeen.size === l.all().length;
              },
              HANG_GUARD_MS,
              () => `every service DOWN while the broker is stopped (seen: ${[...downSeen].join(', ')})`,
            ).then(() => allDownMs.push(Date.now() - stopped)),
          ]);
          const starting = Date.now();
          await startBroker();
          startAppMs.push(Date.now() - starting);
          recoveryMs.push(await waitAllUp(l.all()));
        }
        await moreVipReads(load, 300);
      } finally {
        stats = await load.stop();
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      // The outbox answers VIP reads while the broker is away: nothing but 200s.
      assert.deepEqual(stats.otherStatuses, {});
      assert.deepEqual(stats.noAnswer, {});
      assertNoUnexpectedExit(l);
      for (const s of l.all())
        assert.ok(reconnects(s) >= 2, `${s.name}:${s.port} reconnected ${reconnects(s)} times`);
      await reportFigures(t, 'broker restart x2', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        recoveryMs,
        allDownMs,
        slowestAnswerMs: stats.slowestMs,
        stopAppMs,
        startAppMs,
        drainMs,
        ratePerSecond: Math.round((stats.sent * 1000) / stats.durationMs),
      });
    },
  );
});
