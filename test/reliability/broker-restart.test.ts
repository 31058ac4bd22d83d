// Scenario 1: the broker application stops for 5 s and starts again (rabbitmqctl stop_app / start_app),
// twice, under a steady stream of VIP and non-VIP reads. The broker is the scenario's own (usePrivateBroker),
// removed again in `after`, whatever happened.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { usePrivateBroker, waitUntil } from '@goblog/testkit';
import type { BrokerInstance } from '@goblog/testkit';
import { startBroker, stopBroker } from './support/broker-faults.ts';
import { health, reconnects, waitAllUp } from './support/checks.ts';
import { HANG_GUARD_MS } from './support/limits.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

const OUTAGE_MS = 5000;

let broker: BrokerInstance | undefined;
const ownBroker = (): BrokerInstance => {
  if (broker === undefined) throw new Error('the scenario runs on a broker of its own');
  return broker;
};

steadyStreamScenario({
  title: 'scenario 1: broker restart, twice, under a steady stream',
  claim: 'answers every VIP read 200, counts each exactly once, and is UP again after each restart',
  figures: 'broker restart x2',
  landscape: { label: 'broker-restart' },
  async setup() {
    broker = await usePrivateBroker('broker-restart');
    return {};
  },
  async teardown() {
    await broker?.destroy();
  },
  async faults(l, load) {
    const recoveryMs: number[] = [];
    const stopAppMs: number[] = [];
    const startAppMs: number[] = [];
    const allDownMs: number[] = [];
    for (let round = 0; round < 2; round++) {
      await moreVipReads(load, 300);
      const stopping = Date.now();
      await stopBroker(ownBroker());
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
      await startBroker(ownBroker());
      startAppMs.push(Date.now() - starting);
      recoveryMs.push(await waitAllUp(l.all()));
    }
    await moreVipReads(load, 300);
    return { recoveryMs, allDownMs, stopAppMs, startAppMs };
  },
  verify(l) {
    // The outbox answers VIP reads while the broker is away (the shared checks: nothing but 200s), and every
    // service lost its connection and reconnected, twice.
    for (const s of l.all())
      assert.ok(reconnects(s) >= 2, `${s.name}:${s.port} reconnected ${reconnects(s)} times`);
    return Promise.resolve(undefined);
  },
});
