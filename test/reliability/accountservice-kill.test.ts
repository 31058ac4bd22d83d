// Scenario 3: the accountservice is killed (kill -9) in the middle of a steady stream and started again on
// the same port and data_dir. Notifications recorded in its outbox before the kill go out after the restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  duplicatesAbsorbed,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { startLoad, type LoadStats } from './support/load.ts';
import { moreVipReads } from './support/traffic.ts';

void describe('scenario 3: kill -9 of the accountservice mid-stream, restarted', () => {
  let landscape: Landscape | undefined;

  before(async () => {
    landscape = await startLandscape({ label: 'kill-accountservice' });
  });
  after(async () => {
    await landscape?.close();
  });

  void it(
    'counts every VIP read answered 200 exactly once, across the crash',
    { timeout: SCENARIO_TIMEOUT_MS },
    async (t) => {
      const l = landscape as Landscape;
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      let stats: LoadStats;
      let recoveryMs: number;
      let answeredBeforeKill: number;
      try {
        await moreVipReads(load, 600);
        answeredBeforeKill = load.stats().vip200;
        const killed = Date.now();
        // restart(): kill -9, then a fresh process on the same port and data_dir, UP within 10 s of its spawn.
        await l.restart(l.accountservice);
        await waitAllUp(l.all(), 10_000);
        recoveryMs = Date.now() - killed;
        await moreVipReads(load, 600);
      } finally {
        stats = await load.stop();
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.ok(stats.vip200 > answeredBeforeKill, 'reads were answered after the restart');
      assertNoUnexpectedExit(l);
      await reportFigures(t, 'kill -9 accountservice', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        inFlightAtKill: stats.vipNoAnswer,
        refusedWhileDown: stats.vipRefused,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        killToUpMs: recoveryMs,
        drainMs,
      });
    },
  );
});
