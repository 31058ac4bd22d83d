// Stops and starts the broker application (rabbitmqctl stop_app / start_app). This disturbs every client of
// the shared broker for a few seconds, so it lives in its own file to be run serialised; the broker is always
// started again in `finally`, whatever happens.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Type } from 'typebox';
import { defineMessage, isMessagingError, type ConnectionState } from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { BrokerAdmin } from './support/broker.js';
import { Counter, eventually, uniqueName } from './support/util.js';

const run = promisify(execFile);
const Seq = Type.Object({ seq: Type.Integer() });

async function startApp(): Promise<void> {
  await run('rabbitmqctl', ['start_app']);
  await run('rabbitmqctl', ['await_startup']);
}

describe('AmqpTransport across a broker restart', () => {
  it('resumes its consumers by itself; a publish made meanwhile waits (bounded) and is delivered', async () => {
    const queue = uniqueName('restart');
    const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
    const t = await connectTest({ publishWaitMs: 60_000 });
    const impatient = await connectTest({ publishWaitMs: 200 });
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
        await run('rabbitmqctl', ['stop_app']);
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
        await startApp();
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
      await Promise.all([t.close(), impatient.close()]);
      const admin = await BrokerAdmin.open(); // opened after the restart: one from before would be dead
      await admin.deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
      await admin.close();
    }
  });
});
