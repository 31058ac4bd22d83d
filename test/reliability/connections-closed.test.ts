// Scenario 2: every connection on the broker is force-closed (rabbitmqctl close_all_connections), three
// times, under a steady stream. The broker is the scenario's own (usePrivateBroker), so nobody else's
// connections are closed.
import assert from 'node:assert/strict';
import { usePrivateBroker } from '@goblog/testkit';
import type { BrokerInstance } from '@goblog/testkit';
import { closeAllConnections } from './support/broker-faults.ts';
import { reconnects, waitAllUp } from './support/checks.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

let broker: BrokerInstance | undefined;

steadyStreamScenario({
  title: 'scenario 2: all connections force-closed, three times, under a steady stream',
  claim: 'answers every VIP read 200, counts each exactly once, and is UP again after each close',
  figures: 'close_all_connections x3',
  landscape: { label: 'close-connections' },
  async setup() {
    broker = await usePrivateBroker('close-connections');
    return {};
  },
  async teardown() {
    await broker?.destroy();
  },
  async faults(l, load) {
    const recoveryMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      await moreVipReads(load, 300);
      if (broker === undefined) throw new Error('the scenario runs on a broker of its own');
      await closeAllConnections(broker);
      recoveryMs.push(await waitAllUp(l.all()));
    }
    await moreVipReads(load, 300);
    return { recoveryMs };
  },
  verify(l) {
    // Each close was a real fault: every service lost its connection and reconnected, three times.
    for (const s of l.all())
      assert.ok(reconnects(s) >= 3, `${s.name}:${s.port} reconnected ${reconnects(s)} times`);
    return Promise.resolve({ reconnects: l.all().map(reconnects) });
  },
});
