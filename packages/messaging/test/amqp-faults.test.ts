// Fault tests against the real broker. They disturb only this test's own connection (found by its
// connection_name), never anybody else's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { ChannelError, defineMessage, isMessagingError, type ConnectionState } from '../src/index.js';
import { connectionNameOf, connectTest } from './support/amqp-fixture.js';
import { useBrokerAdmin, closeConnectionsNamed } from './support/broker.js';
import { Counter, eventually, sync, uniqueName, within } from './support/util.js';

const getAdmin = useBrokerAdmin();

const Seq = Type.Object({ seq: Type.Integer() });

describe('AmqpTransport under faults', () => {
  it('loses no confirmed message when its connection is force-closed twice during a steady stream', async (ctx) => {
    const queue = uniqueName('stream');
    const t = await connectTest({ publishWaitMs: 30_000 });
    const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
    const states: ConnectionState[] = [];
    t.onStateChange((s) => states.push(s));
    const handled = new Set<number>();
    let duplicates = 0;
    try {
      await t.subscribeToQueue(
        type,
        async (v) => {
          if (handled.has(v.seq)) duplicates++;
          handled.add(v.seq);
          await Promise.resolve();
        },
        { consumerName: 'stream', prefetch: 50 },
      );
      const pub = t.createPublisher();
      const confirmed = new Set<number>();
      const failed: string[] = [];
      const progress = new Counter();
      let stop = false;
      let next = 0;
      // Keeps 20 publishes in flight until told to stop.
      const lane = async (): Promise<void> => {
        while (!stop) {
          const seq = next++;
          try {
            await pub.publish(type, { seq }, { messageId: `seq-${seq}` });
            confirmed.add(seq);
            progress.hit();
          } catch (err) {
            failed.push(isMessagingError(err) ? err.code : String(err));
          }
        }
      };
      const lanes = Array.from({ length: 20 }, () => lane());
      const connectedAgain = async (): Promise<void> => {
        await eventually(() => (t.state === 'connected' ? true : undefined), 30_000, 'the reconnect');
      };

      await progress.reach(300, 20_000, 'the stream to flow');
      assert.equal(await closeConnectionsNamed(connectionNameOf(t)), 1);
      await eventually(() => (states.includes('disconnected') ? true : undefined), 10_000, 'the disconnect');
      await connectedAgain();
      await progress.reach(progress.count + 300, 30_000, 'the stream to flow again');
      assert.equal(await closeConnectionsNamed(connectionNameOf(t)), 1);
      await eventually(
        () => (states.filter((s) => s === 'disconnected').length >= 2 ? true : undefined),
        10_000,
        'the 2nd disconnect',
      );
      await connectedAgain();
      await progress.reach(progress.count + 300, 30_000, 'the stream to flow after the 2nd reconnect');
      stop = true;
      await Promise.all(lanes);

      await eventually(
        () => ([...confirmed].every((seq) => handled.has(seq)) ? true : undefined),
        30_000,
        'every confirmed message to be consumed',
      );
      assert.deepEqual(failed, [], 'publishes across a reconnect wait and are re-sent, not failed');
      assert.ok(confirmed.size >= 900);
      assert.deepEqual(
        states.filter((s) => s !== 'connecting'),
        ['disconnected', 'connected', 'disconnected', 'connected'],
      );
      // At-least-once: duplicates are possible (unconfirmed re-sends, unacked redeliveries), losses are not.
      ctx.diagnostic(`${confirmed.size} confirmed, ${handled.size} consumed, ${duplicates} duplicates`);
    } finally {
      await t.close();
      await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
    }
  });

  it('recovers from a channel error: the failed publish is reported, the next one goes through', async () => {
    const exchange = uniqueName('gone');
    const t = await connectTest();
    try {
      const type = defineMessage({
        name: 'Seq',
        schema: Seq,
        destination: { kind: 'exchange', exchange, exchangeType: 'fanout', routingKey: '' },
      });
      const pub = t.createPublisher();
      await pub.publish(type, { seq: 1 });
      await getAdmin().deleteExchanges(exchange); // the next publish makes the broker close our channel (404)
      await assert.rejects(pub.publish(type, { seq: 2 }), (err: unknown) => {
        assert.ok(err instanceof ChannelError);
        assert.equal(err.code, 'CHANNEL_CLOSED');
        assert.match(err.message, /NOT_FOUND|404/);
        return true;
      });
      await within(pub.publish(type, { seq: 3 }), 20_000, 'a publish on the re-opened channel');
      assert.equal(t.state, 'connected');
    } finally {
      await t.close();
      await getAdmin().deleteExchanges(exchange);
    }
  });

  it('re-attaches a pub/sub subscriber after a reconnect, with a fresh private queue', async () => {
    const exchange = uniqueName('bus');
    const t = await connectTest();
    try {
      const type = defineMessage({
        name: 'Seq',
        schema: Seq,
        destination: { kind: 'exchange', exchange, exchangeType: 'topic', routingKey: 'bus' },
      });
      const states: ConnectionState[] = [];
      t.onStateChange((s) => states.push(s));
      const got = new Counter();
      const sub = await t.subscribe(
        type,
        sync(() => {
          got.hit();
        }),
        { consumerName: 'bus', bindingKey: '#' },
      );
      const pub = t.createPublisher();
      await pub.publish(type, { seq: 1 });
      await got.reach(1, 10_000);
      await closeConnectionsNamed(connectionNameOf(t));
      await eventually(() => (states.includes('disconnected') ? true : undefined), 10_000, 'the disconnect');
      await eventually(
        () => (sub.consuming && t.state === 'connected' ? true : undefined),
        30_000,
        're-attach',
      );
      await pub.publish(type, { seq: 2 });
      await got.reach(2, 10_000);
    } finally {
      await t.close();
      await getAdmin().deleteExchanges(exchange);
    }
  });
});
