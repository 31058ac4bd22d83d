// Rare interleavings of the protocol, made to happen every time by a frame-aware proxy between the
// transport and the real broker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { defineMessage, type AmqpTransport, type ConnectionState } from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { useBrokerAdmin } from './support/broker.js';
import {
  connectionCloseFrame,
  consumerTagOf,
  FrameProxy,
  isMethod,
  Methods,
  type Link,
  type Rule,
} from './support/frame-proxy.js';
import { deferred, eventually, sync, uniqueName, within } from './support/util.js';

const T = 20_000;
const Note = Type.Object({ n: Type.Integer() });
const noteType = (queue: string) =>
  defineMessage({ name: 'Note', schema: Note, destination: { kind: 'queue', queue } });

const getAdmin = useBrokerAdmin();

/** A transport through a proxy running `rule`, closed with the proxy after `fn`. */
async function throughProxy(
  rule: Rule,
  fn: (t: AmqpTransport, proxy: FrameProxy, states: ConnectionState[]) => Promise<void>,
): Promise<void> {
  const proxy = await FrameProxy.start(rule);
  const t = await connectTest({ url: proxy.url, publishWaitMs: 15_000, reconnectDelayMs: { initial: 50 } });
  const states: ConnectionState[] = [];
  t.onStateChange((s) => states.push(s));
  try {
    await fn(t, proxy, states);
  } finally {
    await t.close();
    await proxy.close();
  }
}

describe('AmqpTransport in rare interleavings', () => {
  it('a declaration whose channel close never gets its CloseOk does not wedge the publishes of its type', async () => {
    const queue = uniqueName('close-lost');
    let cut = 0;
    const rule: Rule = (frame, from, link) => {
      // The first channel a client closes is the declarer's: cut the connection before the CloseOk.
      if (from === 'client' && cut === 0 && isMethod(frame, Methods.channelClose)) {
        cut++;
        link.kill();
      }
      return true;
    };
    try {
      await throughProxy(rule, async (t, _proxy, states) => {
        const pub = t.createPublisher();
        const type = noteType(queue);
        await within(pub.publish(type, { n: 1 }), T, 'the first publish (its declaration was cut)');
        await within(pub.publish(type, { n: 2 }), T, 'a later publish of the same type');
        assert.equal(cut, 1, 'the connection was cut after the declarer closed its channel');
        assert.ok(states.includes('disconnected'));
        await eventually(async () => (await getAdmin().messageCount(queue)) === 2, T, 'both messages');
      });
    } finally {
      await getAdmin().deleteQueues(queue, `${queue}.dlq`, `${queue}.retry`);
    }
  });

  it('a publisher whose channel closed before its listeners were attached opens another and delivers', async () => {
    const queue = uniqueName('closed-early');
    let injected = 0;
    const rule: Rule = (frame, from, link) => {
      // The broker goes away in the very read that brings the confirm channel's SelectOk.
      if (from === 'server' && injected === 0 && isMethod(frame, Methods.confirmSelectOk)) {
        injected++;
        link.inject(connectionCloseFrame());
      }
      return true;
    };
    try {
      await getAdmin().withChannel((ch) => ch.assertQueue(queue, { durable: true }));
      await throughProxy(rule, async (t) => {
        const pub = t.createPublisher();
        const type = noteType(queue);
        // Waiting for the first channel when it dies: these are written on the next one.
        const sent = [1, 2, 3].map((n) => pub.publish(type, { n }));
        await within(Promise.all(sent), T, 'the publishes waiting across the early close');
        assert.equal(injected, 1);
        assert.equal(await getAdmin().messageCount(queue), 3);
      });
    } finally {
      await getAdmin().deleteQueues(queue, `${queue}.dlq`, `${queue}.retry`);
    }
  });

  it('a broker cancel read together with ConsumeOk makes the consumer attach again', async () => {
    const queue = uniqueName('cancel-early');
    const held = deferred<Link>();
    const cancelSeen = deferred();
    let holding = false;
    const rule: Rule = (frame, from, link) => {
      if (from !== 'server') return true;
      if (!holding && isMethod(frame, Methods.basicConsumeOk) && consumerTagOf(frame).startsWith('race.')) {
        holding = true;
        link.hold();
        held.resolve(link);
      } else if (holding && isMethod(frame, Methods.basicCancel)) {
        cancelSeen.resolve();
      }
      return true;
    };
    try {
      await throughProxy(rule, async (t) => {
        const got = deferred<number>();
        const subscribing = t.subscribeToQueue(
          noteType(queue),
          sync((v) => {
            got.resolve(v.n);
          }),
          { consumerName: 'race' },
        );
        const link = await within(held.promise, T, 'the first ConsumeOk');
        // The queue goes away while our ConsumeOk is still on its way: the broker cancels the consumer.
        await getAdmin().deleteQueues(queue);
        await within(cancelSeen.promise, T, 'the broker cancel');
        link.release();
        const sub = await within(subscribing, T, 'the subscription');
        await eventually(() => sub.consuming, T, 'the consumer to attach again');
        await eventually(async () => await getAdmin().queueExists(queue), T, 'the queue declared again');
        await getAdmin().sendRaw(queue, Buffer.from('{"n":7}'), { persistent: true });
        assert.equal(await within(got.promise, T, 'a message after the cancel'), 7);
        await sub.close();
      });
    } finally {
      await getAdmin().deleteQueues(queue, `${queue}.dlq`, `${queue}.retry`);
    }
  });
});
