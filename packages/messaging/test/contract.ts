// One behavioural suite, run against every Transport: the in-memory transport the services' unit tests use
// must behave like the RabbitMQ one, so a fake cannot drift from the real thing. What a wire legitimately
// does not model is a feature flag of its fixture (TransportFeatures), and the tests that need it skip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { Registry } from 'prom-client';
import {
  defineMessage,
  isMessagingError,
  MessagingMetrics,
  type QueueType,
  type ConnectionState,
  type MessageMeta,
  type MessageType,
  type Subscription,
  type Transport,
} from '../src/index.js';
import { Counter, deferred, eventually, must, sync, uniqueName, within } from './support/util.js';

export interface DeadLetter {
  readonly body: string;
  readonly messageId: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** Options every transport takes alike (`queueType` and `deliveryLimit` only where `queueTypes`). */
export interface ContractTransportOptions {
  readonly metrics?: MessagingMetrics;
  readonly queueType?: QueueType;
  readonly deliveryLimit?: number;
}

/** What a wire models beyond what every transport does (the tests needing it skip on a wire without it). */
export interface TransportFeatures {
  /**
   * Queue types and their arguments: a quorum work queue parks a message after `deliveryLimit` deliveries
   * (a broker feature: the in-memory wire has no queue types).
   */
  readonly queueTypes: boolean;
  /**
   * A connection that can drop and come back (`dropConnection`): consumers re-attach, deliveries in flight
   * come back redelivered, declared destinations are declared again (the in-memory wire has no connection).
   */
  readonly reconnects: boolean;
}

/** What the suite needs from each transport's test harness. */
export interface ContractFixture {
  readonly features: TransportFeatures;
  /** How long to wait for anything that crosses a broker (generous: CI machines are slow). */
  readonly timeoutMs: number;
  /** A fresh, connected transport (several may share one broker). */
  transport(options?: ContractTransportOptions): Promise<Transport>;
  /** Puts raw bytes on a work queue (declared as the transport declares it), as another program would. */
  injectRaw(queue: string, body: string, props?: { messageId?: string; type?: string }): Promise<void>;
  /** Takes the messages parked in `<queue>.dlq`. */
  takeDeadLetters(queue: string): Promise<DeadLetter[]>;
  /** Messages ready in a queue (0 when it does not exist). */
  depth(queue: string): Promise<number>;
  queueExists(queue: string): Promise<boolean>;
  /** Queues whose names start with `prefix`. */
  queuesStartingWith(prefix: string): Promise<string[]>;
  /** Drops the transport's connection; the transport must recover by itself (only where `reconnects`). */
  dropConnection(transport: Transport): Promise<void>;
  /** Removes what a test declared. */
  cleanup(queues: readonly string[], exchanges: readonly string[]): Promise<void>;
}

const Order = Type.Object({ orderId: Type.String(), amount: Type.Number() }, { additionalProperties: false });

function workType(queue: string): MessageType<typeof Order> {
  return defineMessage({ name: 'OrderPlaced', schema: Order, destination: { kind: 'queue', queue } });
}

function topicType(exchange: string): MessageType<typeof Order> {
  return defineMessage({
    name: 'OrderPlaced',
    schema: Order,
    destination: { kind: 'exchange', exchange, exchangeType: 'topic', routingKey: 'orders.placed' },
  });
}

const workQueues = (q: string): string[] => [q, `${q}.retry`, `${q}.dlq`];

export function transportContract(name: string, fixture: ContractFixture): void {
  const T = fixture.timeoutMs;
  const needsReconnects = {
    skip: fixture.features.reconnects ? false : 'the wire has no connection to drop',
  };

  /** Runs a test body with two fresh transports, closing them and deleting its queues afterwards. */
  async function withTwo(
    queues: string[],
    exchanges: string[],
    body: (a: Transport, b: Transport) => Promise<void>,
  ): Promise<void> {
    const a = await fixture.transport();
    const b = await fixture.transport().catch(async (err: unknown) => {
      await a.close();
      throw err;
    });
    try {
      await body(a, b);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await fixture.cleanup(queues, exchanges);
    }
  }

  /** Runs a test body with a fresh transport, closing it and deleting its queues afterwards. */
  async function withTransport(
    queues: string[],
    exchanges: string[],
    body: (t: Transport) => Promise<void>,
  ): Promise<void> {
    const t = await fixture.transport();
    try {
      await body(t);
    } finally {
      await t.close();
      await fixture.cleanup(queues, exchanges);
    }
  }

  describe(`Transport contract: ${name}`, () => {
    it('delivers a work-queue message once, with its metadata, and acks it', async () => {
      const queue = uniqueName('work');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const got = deferred<{ value: unknown; meta: MessageMeta }>();
        const sub = await t.subscribeToQueue(
          type,
          sync((value, meta) => {
            got.resolve({ value, meta });
          }),
          {
            consumerName: 'orders',
          },
        );
        assert.equal(sub.consuming, true);
        const before = Date.now();
        await t.createPublisher().publish(
          type,
          { orderId: 'o-1', amount: 12.5 },
          {
            messageId: 'm-1',
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            headers: { tenant: 'acme' },
            appId: 'shop',
          },
        );
        const { value, meta } = await within(got.promise, T, 'the delivery');
        assert.deepEqual(value, { orderId: 'o-1', amount: 12.5 });
        assert.equal(meta.messageId, 'm-1');
        assert.equal(meta.type, 'OrderPlaced');
        assert.equal(meta.appId, 'shop');
        assert.equal(meta.redelivered, false);
        assert.equal(meta.retryCount, 0);
        assert.equal(meta.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
        assert.equal(meta.headers.tenant, 'acme');
        assert.ok(meta.timestamp !== undefined && meta.timestamp >= Math.floor(before / 1000) * 1000);
        assert.equal(meta.body.toString(), JSON.stringify({ orderId: 'o-1', amount: 12.5 }));
        await sub.close();
        assert.equal(sub.consuming, false);
        assert.equal(await fixture.depth(queue), 0);
      });
    });

    it('gives every message a fresh message id unless the publisher sets one', async () => {
      const queue = uniqueName('ids');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const ids: (string | undefined)[] = [];
        const seen = new Counter();
        await t.subscribeToQueue(
          type,
          sync((_v, meta) => {
            ids.push(meta.messageId);
            seen.hit();
          }),
          { consumerName: 'ids' },
        );
        const pub = t.createPublisher();
        await Promise.all([
          pub.publish(type, { orderId: 'a', amount: 1 }),
          pub.publish(type, { orderId: 'b', amount: 2 }),
        ]);
        await seen.reach(2, T);
        assert.equal(new Set(ids).size, 2);
        for (const id of ids) assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      });
    });

    it('shares a work queue between competing consumers: each message goes to one of them', async () => {
      const queue = uniqueName('compete');
      await withTwo(workQueues(queue), [], async (a, b) => {
        const type = workType(queue);
        // Each consumer holds its message until both hold one: only possible if the work was shared.
        const both = deferred();
        const holding = new Counter();
        const handledBy = new Map<string, string>();
        // Recorded, not asserted, here: an assertion inside a handler is a handler failure, which is retried.
        const twice: string[] = [];
        const done = new Counter();
        const handler = (who: string) => async (v: { orderId: string }) => {
          holding.hit();
          if (holding.count >= 2) both.resolve();
          await both.promise;
          if (handledBy.has(v.orderId)) twice.push(v.orderId);
          handledBy.set(v.orderId, who);
          done.hit();
        };
        await a.subscribeToQueue(type, handler('a'), { consumerName: 'worker', prefetch: 1 });
        await b.subscribeToQueue(type, handler('b'), { consumerName: 'worker', prefetch: 1 });
        const pub = a.createPublisher();
        for (let i = 0; i < 6; i++) await pub.publish(type, { orderId: `o-${i}`, amount: i });
        await done.reach(6, T);
        assert.deepEqual(twice, [], 'no message handled twice');
        assert.equal(handledBy.size, 6);
        assert.deepEqual(new Set(handledBy.values()), new Set(['a', 'b']));
      });
    });

    it('fans pub/sub messages out to every subscriber, each through a private queue that goes away with it', async () => {
      const exchange = uniqueName('events');
      await withTwo([], [exchange], async (a, b) => {
        const type = topicType(exchange);
        const gotA = deferred<unknown>();
        const gotB = deferred<unknown>();
        const subA = await a.subscribe(
          type,
          sync((v) => {
            gotA.resolve(v);
          }),
          { consumerName: 'svc-a', bindingKey: 'orders.#' },
        );
        const subB = await b.subscribe(
          type,
          sync((v) => {
            gotB.resolve(v);
          }),
          { consumerName: 'svc-b' },
        );
        assert.equal((await fixture.queuesStartingWith(`${exchange}.`)).length, 2);
        await a.createPublisher().publish(type, { orderId: 'x', amount: 3 });
        assert.deepEqual(await within(gotA.promise, T, 'subscriber a'), { orderId: 'x', amount: 3 });
        assert.deepEqual(await within(gotB.promise, T, 'subscriber b'), { orderId: 'x', amount: 3 });
        await subA.close();
        await subB.close();
        assert.deepEqual(await fixture.queuesStartingWith(`${exchange}.`), []);
      });
    });

    it('routes pub/sub by binding key', async () => {
      const exchange = uniqueName('routed');
      await withTransport([], [exchange], async (t) => {
        const type = topicType(exchange);
        const got: string[] = [];
        const seen = new Counter();
        await t.subscribe(
          type,
          sync((v) => {
            got.push(v.orderId);
            seen.hit();
          }),
          { consumerName: 'eu', bindingKey: 'orders.eu.*' },
        );
        const pub = t.createPublisher();
        await pub.publish(type, { orderId: 'us-1', amount: 1 }, { routingKey: 'orders.us.new' });
        await pub.publish(type, { orderId: 'eu-1', amount: 1 }, { routingKey: 'orders.eu.new' });
        await seen.reach(1, T);
        assert.deepEqual(got, ['eu-1']);
      });
    });

    it('rejects a message that fails its schema at publish, and publishes nothing', async () => {
      const queue = uniqueName('schema');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const pub = t.createPublisher();
        await assert.rejects(
          pub.publish(type, { orderId: 7 } as unknown as { orderId: string; amount: number }),
          (err: unknown) => isMessagingError(err, 'INVALID_MESSAGE'),
        );
        assert.equal(await fixture.depth(queue), 0);
      });
    });

    it('refuses a subscription that does not match where the type is published, with INVALID_OPTIONS', async () => {
      const queue = uniqueName('mismatch');
      const exchange = uniqueName('mismatch-x');
      await withTransport(workQueues(queue), [exchange], async (t) => {
        const ignore = sync(() => undefined);
        await assert.rejects(
          t.subscribeToQueue(topicType(exchange), ignore, { consumerName: 'worker' }),
          (err: unknown) => isMessagingError(err, 'INVALID_OPTIONS') && /use subscribe\(\)/.test(err.message),
        );
        await assert.rejects(
          t.subscribe(workType(queue), ignore, { consumerName: 'listener' }),
          (err: unknown) =>
            isMessagingError(err, 'INVALID_OPTIONS') && /use subscribeToQueue\(\)/.test(err.message),
        );
        assert.equal(await fixture.queueExists(queue), false);
      });
    });

    it('reports an unroutable mandatory message instead of dropping it silently', async () => {
      const exchange = uniqueName('nobody');
      await withTransport([], [exchange], async (t) => {
        const type = topicType(exchange);
        const pub = t.createPublisher();
        await assert.rejects(
          pub.publish(type, { orderId: 'u', amount: 1 }, { mandatory: true }),
          (err: unknown) => isMessagingError(err, 'UNROUTABLE'),
        );
        // Without mandatory, pub/sub with no subscriber is fine: nobody was listening.
        await pub.publish(type, { orderId: 'v', amount: 1 });
      });
    });

    it('acks a message whose handler succeeds after an immediate retry', async () => {
      const queue = uniqueName('flaky');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const calls = new Counter();
        const sub = await t.subscribeToQueue(
          type,
          sync(() => {
            calls.hit();
            if (calls.count === 1) throw new Error('transient');
          }),
          { consumerName: 'flaky', immediateAttempts: 2 },
        );
        await t.createPublisher().publish(type, { orderId: 'f', amount: 1 });
        await calls.reach(2, T);
        // Closing gives back what is not acked: only an acked message leaves the queue empty.
        await sub.close();
        assert.equal(await fixture.depth(queue), 0, 'acked, not merely unacknowledged');
        assert.equal(calls.count, 2);
        assert.deepEqual(await fixture.takeDeadLetters(queue), []);
      });
    });

    it('retries a failing handler immediately, then through the delay queue, then dead-letters it with the error', async () => {
      const queue = uniqueName('failing');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const calls: MessageMeta[] = [];
        const seen = new Counter();
        const okAfter = new Counter();
        await t.subscribeToQueue(
          type,
          sync((v, meta) => {
            if (v.orderId === 'good') {
              okAfter.hit();
              return;
            }
            calls.push(meta);
            seen.hit();
            throw new Error('boom: cannot handle');
          }),
          { consumerName: 'failing', immediateAttempts: 2, delayedRetries: 2, retryDelayMs: 20 },
        );
        const pub = t.createPublisher();
        await pub.publish(type, { orderId: 'bad', amount: 1 }, { messageId: 'bad-1' });
        await pub.publish(type, { orderId: 'good', amount: 1 });
        const letters = await eventually(
          async () => {
            const l = await fixture.takeDeadLetters(queue);
            return l.length > 0 ? l : undefined;
          },
          T,
          'the dead letter',
        );
        // 2 immediate attempts on each of 3 deliveries (first + 2 delayed retries).
        assert.equal(seen.count, 6);
        assert.deepEqual(
          calls.map((m) => m.retryCount),
          [0, 0, 1, 1, 2, 2],
        );
        assert.equal(letters.length, 1);
        const dead = must(letters[0]);
        assert.equal(dead.messageId, 'bad-1');
        assert.deepEqual(JSON.parse(dead.body), { orderId: 'bad', amount: 1 });
        assert.equal(dead.headers['x-death-reason'], 'handler-failed');
        assert.match(String(dead.headers['x-error']), /boom: cannot handle/);
        assert.equal(dead.headers['x-original-queue'], queue);
        assert.equal(dead.headers['x-retry-count'], 2);
        await okAfter.reach(1, T, 'the next message to be handled');
      });
    });

    it('sends an undecodable or schema-failing message straight to the dead-letter queue', async () => {
      const queue = uniqueName('poison');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const handled = new Counter();
        await t.subscribeToQueue(
          type,
          sync(() => {
            handled.hit();
          }),
          { consumerName: 'poison' },
        );
        await fixture.injectRaw(queue, '{not json', { messageId: 'p-1' });
        await fixture.injectRaw(queue, JSON.stringify({ orderId: 1 }), { messageId: 'p-2' });
        await fixture.injectRaw(queue, JSON.stringify({ orderId: 'fine', amount: 1 }));
        await handled.reach(1, T);
        const letters = await eventually(
          async () => {
            const l = await fixture.takeDeadLetters(queue);
            return l.length > 0 ? l : undefined;
          },
          T,
          'dead letters',
        );
        const all =
          letters.length === 2
            ? letters
            : letters.concat(
                await eventually(
                  async () => {
                    const l = await fixture.takeDeadLetters(queue);
                    return l.length > 0 ? l : undefined;
                  },
                  T,
                  'the second dead letter',
                ),
              );
        assert.deepEqual(all.map((l) => l.messageId).sort(), ['p-1', 'p-2']);
        for (const l of all) {
          assert.equal(l.headers['x-death-reason'], 'invalid-message');
          assert.match(String(l.headers['x-error']), /INVALID_MESSAGE|not valid JSON|does not match/);
        }
        assert.equal(handled.count, 1);
      });
    });

    it('accepts a message without message_id (a foreign publisher)', async () => {
      const queue = uniqueName('foreign');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const got = deferred<MessageMeta>();
        await t.subscribeToQueue(
          type,
          sync((_v, meta) => {
            got.resolve(meta);
          }),
          { consumerName: 'foreign' },
        );
        await fixture.injectRaw(queue, JSON.stringify({ orderId: 'go', amount: 1 }));
        const meta = await within(got.promise, T, 'the delivery');
        assert.equal(meta.messageId, undefined);
      });
    });

    it('never runs more handlers at once than the concurrency limit', async () => {
      const queue = uniqueName('bounded');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        let running = 0;
        let peak = 0;
        const done = new Counter();
        const started = new Counter();
        const release = deferred();
        await t.subscribeToQueue(
          type,
          async () => {
            running++;
            peak = Math.max(peak, running);
            started.hit();
            await release.promise;
            running--;
            done.hit();
          },
          { consumerName: 'bounded', prefetch: 10, concurrency: 2 },
        );
        const pub = t.createPublisher();
        await Promise.all(
          Array.from({ length: 8 }, (_, i) => pub.publish(type, { orderId: `b${i}`, amount: i })),
        );
        await started.reach(2, T);
        release.resolve();
        await done.reach(8, T);
        assert.equal(peak, 2);
      });
    });

    it('closes gracefully: a handler in flight finishes and its message is acked, not redelivered', async () => {
      const queue = uniqueName('graceful');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const started = deferred();
        const release = deferred();
        let finished = false;
        const sub: Subscription = await t.subscribeToQueue(
          type,
          async () => {
            started.resolve();
            await release.promise;
            finished = true;
          },
          { consumerName: 'graceful' },
        );
        await t.createPublisher().publish(type, { orderId: 'g', amount: 1 });
        await within(started.promise, T, 'the handler to start');
        const closing = sub.close();
        assert.equal(sub.consuming, false);
        release.resolve();
        await closing;
        assert.equal(finished, true);
        assert.equal(await fixture.depth(queue), 0);
      });
    });

    it('refuses to publish or declare after close, with CLOSED', async () => {
      const queue = uniqueName('closed');
      await withTransport(workQueues(queue), [], async (t) => {
        const pub = t.createPublisher();
        await pub.close();
        await pub.close();
        await assert.rejects(pub.publish(workType(queue), { orderId: 'c', amount: 1 }), (err: unknown) =>
          isMessagingError(err, 'CLOSED'),
        );
        await assert.rejects(pub.declare(workType(queue)), (err: unknown) => isMessagingError(err, 'CLOSED'));
      });
    });

    it("declares a type's work queue up front, and keeps what others send to it", async () => {
      const queue = uniqueName('declared');
      await withTransport(workQueues(queue), [], async (t) => {
        const type = workType(queue);
        const pub = t.createPublisher();
        assert.equal(await fixture.queueExists(queue), false);
        await pub.declare(type);
        for (const q of workQueues(queue)) assert.equal(await fixture.queueExists(q), true, `${q} exists`);
        // Another program sends before any consumer runs: the message waits in the queue.
        await fixture.injectRaw(queue, JSON.stringify({ orderId: 'early', amount: 1 }));
        assert.equal(await fixture.depth(queue), 1);
        await pub.declare(type); // idempotent
        assert.equal(await fixture.depth(queue), 1);
      });
    });

    it(
      "declares a type's work queue again after a reconnect, before any publish",
      needsReconnects,
      async () => {
        const queue = uniqueName('redeclared');
        await withTransport(workQueues(queue), [], async (t) => {
          await t.createPublisher().declare(workType(queue));
          // Someone deletes the queue; the next connection declares it again.
          await fixture.cleanup([queue], []);
          assert.equal(await fixture.queueExists(queue), false);
          await fixture.dropConnection(t);
          await eventually(
            async () => (await fixture.queueExists(queue)) || undefined,
            T,
            'the queue to be declared again',
          );
        });
      },
    );

    it('declares an exchange destination up front', async () => {
      const exchange = uniqueName('declared-x');
      await withTransport([], [exchange], async (t) => {
        const type = topicType(exchange);
        await t.createPublisher().declare(type);
        const got = deferred<unknown>();
        await t.subscribe(
          type,
          sync((v) => {
            got.resolve(v);
          }),
          { consumerName: 'declared' },
        );
        await t.createPublisher().publish(type, { orderId: 'x', amount: 1 });
        assert.deepEqual(await within(got.promise, T, 'the delivery'), { orderId: 'x', amount: 1 });
      });
    });

    it('reports its state, and closes once even when asked twice', async () => {
      const t = await fixture.transport();
      const states: ConnectionState[] = [];
      t.onStateChange((s) => states.push(s));
      assert.equal(t.state, 'connected');
      await Promise.all([t.close(), t.close()]);
      assert.equal(t.state, 'closed');
      assert.deepEqual(states, ['closed']);
    });

    it(
      'redelivers a message in flight when the connection drops, and re-attaches its consumer by itself',
      needsReconnects,
      async () => {
        const queue = uniqueName('drop');
        await withTransport(workQueues(queue), [], async (t) => {
          const type = workType(queue);
          const deliveries: MessageMeta[] = [];
          const firstStarted = deferred();
          const redelivered = deferred();
          const states: ConnectionState[] = [];
          t.onStateChange((s) => states.push(s));
          const hold = deferred();
          const sub = await t.subscribeToQueue(
            type,
            async (_v, meta) => {
              deliveries.push(meta);
              if (deliveries.length === 1) {
                firstStarted.resolve();
                await hold.promise; // still running when the connection goes
                return;
              }
              redelivered.resolve();
            },
            { consumerName: 'drop' },
          );
          await t.createPublisher().publish(type, { orderId: 'd', amount: 1 }, { messageId: 'd-1' });
          await within(firstStarted.promise, T, 'the first delivery');
          await fixture.dropConnection(t);
          await within(redelivered.promise, T, 'the redelivery');
          hold.resolve();
          const second = must(deliveries[1]);
          assert.equal(second.messageId, 'd-1');
          assert.equal(second.redelivered, true);
          assert.deepEqual(states.slice(0, 2), ['disconnected', 'connected']);
          await eventually(() => sub.consuming || undefined, T, 'the consumer to re-attach');
          await eventually(
            async () => (await fixture.depth(queue)) === 0 || undefined,
            T,
            'the queue to empty',
          );
        });
      },
    );

    it(
      'parks a message that keeps losing its consumer after the delivery limit, on a quorum work queue only',
      {
        skip: fixture.features.queueTypes ? false : 'the wire has no queue types',
      },
      async () => {
        for (const queueType of ['quorum', 'classic'] as const) {
          const queue = uniqueName(`crashloop-${queueType}`);
          const t = await fixture.transport({ queueType, deliveryLimit: 2 });
          const started = new Counter();
          const hold = deferred();
          try {
            await t.subscribeToQueue(
              workType(queue),
              async () => {
                started.hit();
                await hold.promise; // the "process" dies before it finishes
              },
              { consumerName: 'crashloop' },
            );
            await t.createPublisher().publish(workType(queue), { orderId: 'loop', amount: 1 });
            for (let i = 1; i <= 3; i++) {
              await started.reach(i, T, `delivery ${i} (${queueType})`);
              await fixture.dropConnection(t);
            }
            if (queueType === 'quorum') {
              const parked = await eventually(
                async () => {
                  const dead = await fixture.takeDeadLetters(queue);
                  return dead.length > 0 ? dead : undefined;
                },
                T,
                'the message parked by the delivery limit',
              );
              assert.deepEqual(
                parked.map((d) => JSON.parse(d.body) as unknown),
                [{ orderId: 'loop', amount: 1 }],
              );
            } else {
              await started.reach(4, T, 'a 4th delivery (classic queues have no delivery limit)');
              assert.deepEqual(await fixture.takeDeadLetters(queue), []);
            }
          } finally {
            hold.resolve();
            await t.close();
            await fixture.cleanup(workQueues(queue), []);
          }
        }
      },
    );

    it('counts what it publishes, consumes, retries, parks and drops in its metrics', async () => {
      const queue = uniqueName('metered');
      const exchange = uniqueName('metered-x');
      const registry = new Registry();
      const t = await fixture.transport({ metrics: new MessagingMetrics(registry) });
      const value = async (series: string): Promise<number> => {
        const row = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
        return row === undefined ? 0 : Number(row.slice(series.length + 1));
      };
      try {
        const failing = sync((v: { amount: number }) => {
          if (v.amount < 0) throw new Error('negative');
        });
        await t.subscribeToQueue(workType(queue), failing, {
          consumerName: 'metered',
          immediateAttempts: 2,
          delayedRetries: 1,
          retryDelayMs: 1,
        });
        await t.subscribe(topicType(exchange), failing, {
          consumerName: 'metered-sub',
          immediateAttempts: 1,
        });
        const pub = t.createPublisher();
        await pub.publish(workType(queue), { orderId: 'ok', amount: 1 });
        await pub.publish(workType(queue), { orderId: 'bad', amount: -1 });
        await pub.publish(topicType(exchange), { orderId: 'bad', amount: -1 });
        const c = (name: string, labels: string): Promise<number> => value(`messaging_${name}{${labels}}`);
        const consumer = 'consumer="metered"';
        await eventually(
          async () => (await c('dead_lettered_total', `${consumer},reason="handler-failed"`)) === 1,
          T,
          'the failing message parked',
        );
        await eventually(
          async () => (await c('dropped_total', 'consumer="metered-sub",reason="handler-failed"')) === 1,
          T,
          'the failing pub/sub message dropped',
        );
        assert.equal(await c('published_total', `destination="${queue}"`), 2);
        assert.equal(await c('confirmed_total', `destination="${queue}"`), 2);
        assert.ok((await c('confirm_latency_seconds_count', `destination="${queue}"`)) >= 2);
        // The failing one twice: first delivery, then back from the delay queue.
        assert.equal(await c('consumed_total', consumer), 3);
        assert.equal(await c('acked_total', consumer), 1);
        assert.equal(await c('retried_total', `${consumer},kind="immediate"`), 2);
        assert.equal(await c('retried_total', `${consumer},kind="delayed"`), 1);
        assert.equal(await c('handler_duration_seconds_count', consumer), 5);
        assert.deepEqual(
          (await fixture.takeDeadLetters(queue)).map((d) => d.headers['x-retry-count']),
          [1],
        );
      } finally {
        await t.close();
        await fixture.cleanup(workQueues(queue), [exchange]);
      }
    });
  });
}
