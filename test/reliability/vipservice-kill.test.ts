// Scenario 4: one of two vipservice instances (sharing one data_dir, so one offer store) is killed (kill -9)
// in the middle of a steady stream and started again. Its unacknowledged messages go to the other instance;
// those it had already counted are recognised as duplicates.
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
import { startLoad } from '@goblog/testkit';
import type { LoadStats } from '@goblog/testkit';
import { moreVipReads } from './support/traffic.ts';

void describe('scenario 4: kill -9 of one of two vipservice instances mid-stream, restarted', () => {
  let landscape: Landscape | undefined;

  before(async () => {
    landscape = await startLandscape({ label: 'kill-vipservice', vipservices: 2 });
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
      const victim = l.vipservices[1];
      assert.ok(victim);
      let stats: LoadStats;
      let recoveryMs: number;
      try {
        await moreVipReads(load, 600);
        const killed = Date.now();
        await l.restart(victim);
        await waitAllUp(l.all());
        recoveryMs = Date.now() - killed;
        await moreVipReads(load, 600);
      } finally {
        stats = await load.stop();
      }

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.equal(notifications, stats.vip200);
      assert.deepEqual(stats.otherStatuses, {});
      assert.deepEqual(stats.noAnswer, {});
      assertNoUnexpectedExit(l);
      await reportFigures(t, 'kill -9 one of two vipservices', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        killToUpMs: recoveryMs,
        restartMs: l.restartTimes().map((r) => r.ms),
        slowestAnswerMs: stats.slowestMs,
        drainMs,
      });
    },
  );
});
