import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { createMemoryTransport, defineMessage, isMessagingError, MemoryBroker } from '../src/index.js';
import { transportContract, type ContractFixture } from './contract.js';
import { must, sync, uniqueName } from './support/util.js';

const broker = new MemoryBroker();

const fixture: ContractFixture = {
  features: { queueTypes: false, reconnects: false },
  timeoutMs: 5000,
  transport: (options) => Promise.resolve(createMemoryTransport({ broker, metrics: options?.metrics })),
  injectRaw: (queue, body, props) => {
    createMemoryTransport({ broker }).inject({ queue }, body, props);
    return Promise.resolve();
  },
  takeDeadLetters: (queue) => {
    const q = broker.queues.get(`${queue}.dlq`);
    const taken = q ? q.ready.splice(0) : [];
    return Promise.resolve(
      taken.map((e) => ({
        body: e.body.toString(),
        messageId: e.props.messageId,
        headers: e.props.headers ?? {},
      })),
    );
  },
  depth: (queue) => Promise.resolve(broker.queues.get(queue)?.ready.length ?? 0),
  queueExists: (queue) => Promise.resolve(broker.queues.has(queue)),
  queuesStartingWith: (prefix) =>
    Promise.resolve([...broker.queues.keys()].filter((n) => n.startsWith(prefix))),
  dropConnection: () => Promise.reject(new Error('the in-memory wire has no connection to drop')),
  cleanup: (queues) => {
    for (const q of queues) broker.deleteQueue(q);
    return Promise.resolve();
  },
};

transportContract('memory', fixture);

const Ping = Type.Object({ n: Type.Number() });

describe('MemoryTransport test helpers', () => {
  it('lets a test await a publication instead of sleeping', async () => {
    const t = createMemoryTransport({ appId: 'svc' });
    const queue = uniqueName('helpers');
    const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue } });
    const waiting = t.waitForPublished(queue, 2);
    const pub = t.createPublisher();
    void pub.publish(type, { n: 1 });
    void pub.publish(type, { n: 2 });
    const published = await waiting;
    assert.deepEqual(
      published.map((m) => m.value),
      [{ n: 1 }, { n: 2 }],
    );
    assert.equal(must(published[0]).appId, 'svc');
    assert.equal(must(published[0]).type, 'Ping');
    await t.close();
  });

  it('counts acks and reports idleness, and parks dead letters for inspection', async () => {
    const t = createMemoryTransport();
    const queue = uniqueName('idle');
    const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue } });
    await t.subscribeToQueue(
      type,
      sync((v) => {
        if (v.n < 0) throw new Error('negative');
      }),
      { consumerName: 'idle', immediateAttempts: 1, delayedRetries: 0 },
    );
    const pub = t.createPublisher();
    await pub.publish(type, { n: 1 });
    await pub.publish(type, { n: -1 });
    await t.waitForIdle();
    assert.equal(t.acked(queue), 2);
    const dead = must((await t.waitForDeadLettered(queue))[0]);
    assert.deepEqual(dead.value, { n: -1 });
    assert.equal(dead.headers['x-death-reason'], 'handler-failed');
    await t.close();
  });

  it("can make publishes fail, to test a caller's error path", async () => {
    const t = createMemoryTransport();
    const type = defineMessage({
      name: 'Ping',
      schema: Ping,
      destination: { kind: 'queue', queue: uniqueName('f') },
    });
    t.failPublishes('NACKED');
    await assert.rejects(t.createPublisher().publish(type, { n: 1 }), (e: unknown) =>
      isMessagingError(e, 'NACKED'),
    );
    t.failPublishes(undefined);
    await t.createPublisher().publish(type, { n: 1 });
    await t.close();
  });
});
