import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { createMemoryTransport, defineMessage, MessagingMetrics } from '../src/index.js';
import { sync, uniqueName } from './support/util.js';

const Ping = Type.Object({ n: Type.Number() });

function valueOf(text: string, line: string): number {
  const row = text.split('\n').find((l) => l.startsWith(line));
  return row === undefined ? NaN : Number(row.slice(line.length).trim());
}

describe('MessagingMetrics', () => {
  it('counts publishes, confirms, consumption, acks, retries and dead letters, and times handlers', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry);
    const t = createMemoryTransport({ metrics });
    const queue = uniqueName('metrics');
    const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue } });
    await t.subscribeToQueue(
      type,
      sync((v) => {
        if (v.n < 0) throw new Error('negative');
      }),
      { consumerName: 'pinger', immediateAttempts: 2, delayedRetries: 0 },
    );
    const pub = t.createPublisher();
    await pub.publish(type, { n: 1 });
    await pub.publish(type, { n: -1 });
    await t.waitForDeadLettered(queue);
    await t.waitForIdle();
    const text = await registry.metrics();
    assert.equal(valueOf(text, `messaging_published_total{destination="${queue}"}`), 2);
    assert.equal(valueOf(text, `messaging_confirmed_total{destination="${queue}"}`), 2);
    assert.equal(valueOf(text, 'messaging_consumed_total{consumer="pinger"}'), 2);
    assert.equal(valueOf(text, 'messaging_acked_total{consumer="pinger"}'), 1);
    assert.equal(valueOf(text, 'messaging_retried_total{consumer="pinger",kind="immediate"}'), 1);
    assert.equal(
      valueOf(text, 'messaging_dead_lettered_total{consumer="pinger",reason="handler-failed"}'),
      1,
    );
    assert.equal(valueOf(text, 'messaging_handler_duration_seconds_count{consumer="pinger"}'), 3);
    assert.equal(valueOf(text, 'messaging_connection_state{connection="memory",state="connected"}'), 1);
    await t.close();
    const after = await registry.metrics();
    assert.equal(valueOf(after, 'messaging_connection_state{connection="memory",state="connected"}'), 0);
    assert.equal(valueOf(after, 'messaging_connection_state{connection="memory",state="closed"}'), 1);
  });
});
