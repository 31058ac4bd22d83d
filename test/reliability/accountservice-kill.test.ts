// Scenario 3: the accountservice is killed (kill -9) in the middle of a steady stream and started again on
// the same port and data_dir. Notifications recorded in its outbox before the kill go out after the restart.
// So that the kill provably lands with notifications in the outbox (a fast relay could otherwise have
// delivered everything by then), the accountservice talks to the broker through a proxy that, for the last
// moments before the kill, swallows what it sends: the VIP reads answered then are in the outbox, and
// nowhere else, at the kill. The restarted process connects afresh and gets through.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BROKER_URL, startBrokerProxy, startLoad, waitUntil } from '@goblog/testkit';
import type { LoadStats, TcpProxy } from '@goblog/testkit';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  duplicatesAbsorbed,
  health,
  settle,
  waitAllUp,
} from './support/checks.ts';
import { reportFigures } from './support/figures.ts';
import { HANG_GUARD_MS, SCENARIO_TIMEOUT_MS } from './support/limits.ts';
import { startLandscape, type Landscape } from './support/landscape.ts';
import { moreVipReads } from './support/traffic.ts';

/** VIP notifications that must (at least) be waiting in the outbox at the kill. */
const PENDING_AT_KILL = 20;

void describe('scenario 3: kill -9 of the accountservice mid-stream, restarted', () => {
  let landscape: Landscape | undefined;
  let proxy: TcpProxy | undefined;

  before(async () => {
    proxy = await startBrokerProxy(BROKER_URL);
    landscape = await startLandscape({
      label: 'kill-accountservice',
      accountserviceEnv: { AMQP_SERVER_URL: proxy.urlFor(BROKER_URL) },
    });
  });
  after(async () => {
    await landscape?.close();
    await proxy?.close();
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
      let pending = 0;
      try {
        await moreVipReads(load, 600);
        (proxy as TcpProxy).dropClientBytes();
        // VIP reads answered from here on were recorded after the drop, but for the few in flight at it (at
        // most the load's concurrency): their publishes never reach the broker, so they are in the outbox at
        // the kill. Answered in twice the number that must be pending leaves a margin far above that.
        const answeredAtDrop = load.stats().vip200;
        await waitUntil(
          () => load.stats().vip200 - answeredAtDrop >= 2 * PENDING_AT_KILL,
          HANG_GUARD_MS,
          () => `${2 * PENDING_AT_KILL} VIP reads answered after the drop`,
        );
        pending = (await health(l.accountservice)).body?.outbox?.depth ?? 0;
        answeredBeforeKill = load.stats().vip200;
        const killed = Date.now();
        // restart(): kill -9, then a fresh process on the same port and data_dir (spawn to UP is a figure).
        await l.restart(l.accountservice);
        await waitAllUp(l.all());
        recoveryMs = Date.now() - killed;
        await moreVipReads(load, 600);
      } finally {
        stats = await load.stop();
      }
      // The restarted process found the kill's leftovers on disk: its line about the store says how many.
      const opened = l.accountservice.lines.find((line) => line.includes('account store open')) ?? '';
      const foundAtStart = Number(/"outboxDepth":(\d+)/.exec(opened)?.[1] ?? 0);
      assert.ok(
        foundAtStart >= PENDING_AT_KILL,
        `the restart found ${foundAtStart} notifications in the outbox (/health said ${pending} before the kill)`,
      );

      const { notifications, drainMs } = await settle(l, '10000', stats.vip200);
      assertExactlyOnce(stats, notifications);
      assert.ok(stats.vip200 > answeredBeforeKill, 'reads were answered after the restart');
      assertNoUnexpectedExit(l);
      await reportFigures(t, 'kill -9 accountservice', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted: notifications,
        pendingAtKill: foundAtStart,
        outboxDepthBeforeKill: pending,
        inFlightAtKill: stats.vipNoAnswer,
        refusedWhileDown: stats.vipRefused,
        duplicatesAbsorbed: await duplicatesAbsorbed(l.vipservices),
        killToUpMs: recoveryMs,
        restartMs: l.restartTimes().map((r) => r.ms),
        slowestAnswerMs: stats.slowestMs,
        drainMs,
      });
    },
  );
});
