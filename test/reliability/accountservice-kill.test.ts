// Scenario 3: the accountservice is killed (kill -9) in the middle of a steady stream and started again on
// the same port and data_dir. Notifications recorded in its outbox before the kill go out after the restart.
// So that the kill provably lands with notifications in the outbox (a fast relay could otherwise have
// delivered everything by then), the accountservice talks to the broker through a proxy that, for the last
// moments before the kill, swallows what it sends: the VIP reads answered then are in the outbox, and
// nowhere else, at the kill. The restarted process connects afresh and gets through.
import assert from 'node:assert/strict';
import { BROKER_URL, startBrokerProxy, waitUntil } from '@goblog/testkit';
import type { TcpProxy } from '@goblog/testkit';
import { health, waitAllUp } from './support/checks.ts';
import { HANG_GUARD_MS } from './support/limits.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

/** VIP notifications that must (at least) be waiting in the outbox at the kill. */
const PENDING_AT_KILL = 20;

let proxy: TcpProxy | undefined;
let answeredBeforeKill = 0;
let pending = 0;

steadyStreamScenario({
  title: 'scenario 3: kill -9 of the accountservice mid-stream, restarted',
  claim: 'counts every VIP read answered 200 exactly once, across the crash',
  figures: 'kill -9 accountservice',
  landscape: { label: 'kill-accountservice' },
  async setup() {
    proxy = await startBrokerProxy(BROKER_URL);
    return { accountserviceEnv: { AMQP_SERVER_URL: proxy.urlFor(BROKER_URL) } };
  },
  teardown: async () => {
    await proxy?.close();
  },
  // Reads in flight at the kill get no answer; assertExactlyOnce bounds what they may add.
  everyReadAnswered: false,
  async faults(l, load) {
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
    const killToUpMs = Date.now() - killed;
    await moreVipReads(load, 600);
    return { killToUpMs, restartMs: l.restartTimes().map((r) => r.ms), outboxDepthBeforeKill: pending };
  },
  verify(l, stats) {
    // The restarted process found the kill's leftovers on disk: its line about the store says how many.
    const opened = l.accountservice.lines.find((line) => line.includes('account store open')) ?? '';
    const foundAtStart = Number(/"outboxDepth":(\d+)/.exec(opened)?.[1] ?? 0);
    assert.ok(
      foundAtStart >= PENDING_AT_KILL,
      `the restart found ${foundAtStart} notifications in the outbox (/health said ${pending} before the kill)`,
    );
    assert.ok(stats.vip200 > answeredBeforeKill, 'reads were answered after the restart');
    return Promise.resolve({
      pendingAtKill: foundAtStart,
      inFlightAtKill: stats.vipNoAnswer,
      refusedWhileDown: stats.vipRefused,
    });
  },
});
