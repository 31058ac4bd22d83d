// Stops and starts the broker application (rabbitmqctl stop_app / start_app) of a RabbitMQ node of this
// file's own (startBrokerInstance), so that nobody else's connections are disturbed; the node is removed in
// `after`, whatever happened.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from 'typebox';
import { startBrokerInstance } from '@goblog/testkit';
import type { BrokerInstance } from '@goblog/testkit';
import {
  defineMessage,
  isMessagingError,
  type AmqpTransportOptions,
  type ConnectionState,
} from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { Counter, eventually, uniqueName } from './support/util.js';

const Seq = Type.Object({ seq: Type.Integer() });

let broker: BrokerInstance;
before(async () => {
  broker = await startBrokerInstance('messaging-restart');
});
after(async () => {
  await broker.destroy();
});

const onOwnBroker = (options: Partial<AmqpTransportOptions>) => connectTest({ url: broker.url, ...options });

describe('AmqpTransport across a broker restart', () => {
  it('resumes its consumers by itself; a publish made meanwhile waits (bounded) and is delivered', async () => {
    const queue = uniqueName('restart');
    const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
    const t = await onOwnBroker({ publishWaitMs: 60_000 });
    const impatient = await onOwnBroker({ publishWaitMs: 200 });
    const states: ConnectionState[] = [];
    t.onStateChange((s) => states.push(s));
    const handled = new Set<number>();
    const seen = new Counter();
    try {
      const sub = await t.subscribeToQueue(
        type,
        async (v) => {
          handled.add(v.seq);
          seen.hit();
          await Promise.resolve();
        },
        { consumerName: 'restart' },
      );
      const pub = t.createPublisher();
      const impatientPub = impatient.createPublisher();
      await pub.publish(type, { seq: 1 });
      await impatientPub.publish(type, { seq: 100 });
      await seen.reach(2, 10_000);

      let during: Promise<void>;
      let refused: Promise<unknown>;
      try {
        await broker.stopApp();
        await eventually(() => (t.state === 'disconnected' ? true : undefined), 10_000, 'the disconnect');
        assert.equal(sub.consuming, false);
        during = pub.publish(type, { seq: 2 });
        refused = impatientPub.publish(type, { seq: 101 }).then(
          () => 'published',
          (err: unknown) => err,
        );
        // The impatient publisher gives up with a typed error while the broker is still away.
        const err = await refused;
        assert.ok(isMessagingError(err, 'NOT_CONNECTED'), `expected NOT_CONNECTED, got ${String(err)}`);
      } finally {
        await broker.startApp();
      }
      await during;
      await eventually(
        () => (t.state === 'connected' && sub.consuming ? true : undefined),
        60_000,
        'the consumer to resume',
      );
      await eventually(
        () => (handled.has(2) ? true : undefined),
        30_000,
        'the message published during the outage',
      );
      await pub.publish(type, { seq: 3 });
      await eventually(
        () => (handled.has(3) ? true : undefined),
        30_000,
        'a message published after the restart',
      );
      assert.equal(states.includes('disconnected'), true);
      assert.equal(states.at(-1), 'connected');
    } finally {
      // The queues go with the broker instance.
      await Promise.all([t.close(), impatient.close()]);
    }
  });
});
