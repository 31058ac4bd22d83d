// Scenario 1: the broker application stops for 5 s and starts again (rabbitmqctl stop_app / start_app),
// twice, under a steady stream of VIP and non-VIP reads. This disturbs every client of the shared broker for
// those seconds; the broker is started again in `after`, whatever happened.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { waitUntil } from '@goblog/testkit';
import { restoreBroker, startBroker, stopBroker } from './support/broker-faults.ts';
import { health, reconnects, waitAllUp } from './support/checks.ts';
import { HANG_GUARD_MS } from './support/limits.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

const OUTAGE_MS = 5000;

steadyStreamScenario({
  title: 'scenario 1: broker restart, twice, under a steady stream',
  claim: 'answers every VIP read 200, counts each exactly once, and is UP again after each restart',
  figures: 'broker restart x2',
  landscape: { label: 'broker-restart' },
  // Whatever happened, the broker is started again once the landscape is closed (and .ci/run's trap restarts
  // it should even that fail).
  teardown: restoreBroker,
  async faults(l, load) {
    const recoveryMs: number[] = [];
    const stopAppMs: number[] = [];
    const startAppMs: number[] = [];
    const allDownMs: number[] = [];
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
