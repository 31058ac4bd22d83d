// Work-queue topology against the real broker, and interoperability with plain clients (the article's Go
// code, an operator script, another team's test) that declare a queue with `assertQueue(name, { durable: true })`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Channel } from 'amqplib';
import { Type } from 'typebox';
import { defineMessage, isMessagingError, type MessageMeta, type QueueType } from '../src/index.js';
import { captureLogger } from './support/log.js';
import { connectTest } from './support/amqp-fixture.js';
import { BrokerAdmin, useBrokerAdmin } from './support/broker.js';
import { deferred, must, sync, uniqueName, within } from './support/util.js';

const getAdmin = useBrokerAdmin();

const T = 20_000;
const Ping = Type.Object({ n: Type.Number() });

function pingType(queue: string, queueType?: QueueType) {
  return defineMessage({
    name: 'Ping',
    schema: Ping,
    destination: queueType === undefined ? { kind: 'queue', queue } : { kind: 'queue', queue, queueType },
  });
}

const quorumArgs = (queue: string): Record<string, unknown> => ({
  'x-queue-type': 'quorum',
  'x-delivery-limit': 20,
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': `${queue}.dlq`,
});

/** Declares as a plain client would; resolves true, or false when the broker refuses it with 406. */
async function plainDeclare(queue: string, args?: Record<string, unknown>): Promise<boolean> {
  try {
    await getAdmin().withChannel((ch: Channel) =>
      ch.assertQueue(queue, args === undefined ? { durable: true } : { durable: true, arguments: args }),
    );
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 406) return false;
    throw err;
  }
}

async function withQueue(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = uniqueName('interop');
  try {
    await body(queue);
  } finally {
    await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
  }
}

const adoptionWarnings = (lines: ReturnType<typeof captureLogger>['lines'], queue: string) =>
  lines.filter((l) => l.level === 'warn' && l.obj.queue === queue && /other arguments/.test(l.msg));

describe('Work-queue topology', () => {
  it('declares the work queue and its dead-letter queue as plain durable classic queues by default', async () => {
    await withQueue(async (queue) => {
      const t = await connectTest();
      try {
        await t.createPublisher().publish(pingType(queue), { n: 1 });
        const m = must((await getAdmin().drain(queue))[0]);
        assert.equal(m.properties.deliveryMode, 2);
        assert.equal(m.properties.contentType, 'application/json');
        assert.equal(m.properties.type, 'Ping');
        assert.equal(m.properties.appId, 'messaging-test');
        assert.equal(typeof m.properties.messageId, 'string');
        assert.equal(typeof m.properties.timestamp, 'number');
        // Equivalent to a plain declaration, and not a quorum queue.
        assert.equal(await plainDeclare(queue), true);
        assert.equal(await plainDeclare(`${queue}.dlq`), true);
        assert.equal(await plainDeclare(queue, quorumArgs(queue)), false);
        // The delay queue is ours: it dead-letters back to the work queue.
        assert.equal(
          await plainDeclare(`${queue}.retry`, {
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': queue,
          }),
          true,
        );
      } finally {
        await t.close();
      }
    });
  });

  it('declares quorum work queues when asked, by the transport or by the message type', async () => {
    for (const how of ['transport', 'type'] as const) {
      await withQueue(async (queue) => {
        const t = await connectTest(how === 'transport' ? { queueType: 'quorum' } : {});
        try {
          const type = pingType(queue, how === 'type' ? 'quorum' : undefined);
          await t.createPublisher().declare(type);
          assert.equal(await plainDeclare(queue, quorumArgs(queue)), true, how);
          // ...which is exactly why it is not the package's default: a plain client's declaration now fails.
          assert.equal(await plainDeclare(queue), false, how);
          // Its companions are replicated too: a retry or a parked message survives the loss of a node.
          assert.equal(await plainDeclare(`${queue}.dlq`, { 'x-queue-type': 'quorum' }), true, how);
          assert.equal(
            await plainDeclare(`${queue}.retry`, {
              'x-queue-type': 'quorum',
              'x-dead-letter-exchange': '',
              'x-dead-letter-routing-key': queue,
            }),
            true,
            how,
          );
        } finally {
          await t.close();
        }
      });
    }
  });

  it('works on a queue a plain client declared first', async () => {
    await withQueue(async (queue) => {
      assert.equal(await plainDeclare(queue), true);
      assert.equal(await plainDeclare(`${queue}.dlq`), true);
      const log = captureLogger();
      const t = await connectTest({ logger: log });
      try {
        const type = pingType(queue);
        const got = deferred<number>();
        await t.subscribeToQueue(
          type,
          sync((v) => {
            got.resolve(v.n);
          }),
          { consumerName: 'interop' },
        );
        await t.createPublisher().publish(type, { n: 5 });
        assert.equal(await within(got.promise, T, 'the delivery'), 5);
        assert.deepEqual(adoptionWarnings(log.lines, queue), []);
      } finally {
        await t.close();
      }
    });
  });

  it('lets a plain client declare and send to a queue our consumer declared, and consumes what it sends', async () => {
    await withQueue(async (queue) => {
      const t = await connectTest();
      try {
        const got = deferred<{ n: number; meta: MessageMeta }>();
        await t.subscribeToQueue(
          pingType(queue),
          sync((v, meta) => {
            got.resolve({ n: v.n, meta });
          }),
          { consumerName: 'interop' },
        );
        assert.equal(await plainDeclare(queue), true);
        assert.equal(await plainDeclare(`${queue}.dlq`), true);
        // What the article's Go publisher does: sendToQueue, no message id, no type.
        await getAdmin().sendRaw(queue, Buffer.from(JSON.stringify({ n: 9 })));
        const { n, meta } = await within(got.promise, T, 'the delivery');
        assert.equal(n, 9);
        assert.equal(meta.messageId, undefined);
      } finally {
        await t.close();
      }
    });
  });

  it('uses a queue that exists with other arguments as it is, with one warning naming it', async () => {
    // E.g. vip_queue left as a quorum queue by an earlier version: our classic declaration gets a 406.
    await withQueue(async (queue) => {
      assert.equal(await plainDeclare(`${queue}.dlq`, { 'x-queue-type': 'quorum' }), true);
      assert.equal(await plainDeclare(queue, quorumArgs(queue)), true);
      const log = captureLogger();
      const t = await connectTest({ logger: log });
      try {
        const type = pingType(queue);
        const got = deferred<number>();
        await t.subscribeToQueue(
          type,
          sync((v) => {
            got.resolve(v.n);
          }),
          { consumerName: 'adopter' },
        );
        const pub = t.createPublisher();
        await pub.declare(type);
        await pub.publish(type, { n: 3 });
        assert.equal(await within(got.promise, T, 'the delivery'), 3);
        assert.equal(adoptionWarnings(log.lines, queue).length, 1);
        // The companions follow the type the work queue has: no second warning.
        assert.equal(adoptionWarnings(log.lines, `${queue}.dlq`).length, 0);
        const warning = must(adoptionWarnings(log.lines, queue)[0]);
        assert.match(warning.msg, /not applied/);
        assert.match(String(warning.obj.err), /PRECONDITION_FAILED|inequivalent/);
        // The existing queue was not changed: still a quorum queue.
        assert.equal(await plainDeclare(queue, quorumArgs(queue)), true);
      } finally {
        await t.close();
      }
    });
  });

  it('adopts a plain queue when configured for quorum queues', async () => {
    await withQueue(async (queue) => {
      assert.equal(await plainDeclare(queue), true);
      const log = captureLogger();
      const t = await connectTest({ logger: log, queueType: 'quorum' });
      try {
        const type = pingType(queue);
        const got = deferred<number>();
        await t.subscribeToQueue(
          type,
          sync((v) => {
            got.resolve(v.n);
          }),
          { consumerName: 'adopter' },
        );
        await t.createPublisher().publish(type, { n: 4 });
        assert.equal(await within(got.promise, T, 'the delivery'), 4);
        // One warning line in all (its companions stay classic beside it), naming how to migrate.
        const warnings = log.lines.filter((l) => l.level === 'warn' && /other arguments/.test(l.msg));
        assert.equal(warnings.length, 1);
        assert.equal(must(warnings[0]).obj.queue, queue);
        assert.match(String(must(warnings[0]).obj.err), new RegExp(`npm run migrate-queue -- ${queue}`));
        assert.equal(await plainDeclare(`${queue}.dlq`), true, 'the dead-letter queue is classic like it');
      } finally {
        await t.close();
      }
    });
  });

  it('fails with DECLARE_FAILED when the broker refuses the queue for another reason', async () => {
    await withQueue(async (queue) => {
      // An exclusive queue of another connection: 405 RESOURCE_LOCKED, not a difference of arguments.
      const owner = await BrokerAdmin.open();
      try {
        await owner.withChannel((ch) => ch.assertQueue(queue, { exclusive: true }));
        const t = await connectTest();
        try {
          const type = pingType(queue);
          await assert.rejects(
            t.subscribeToQueue(
              type,
              sync(() => undefined),
              { consumerName: 'locked' },
            ),
            (err: unknown) => isMessagingError(err, 'DECLARE_FAILED'),
          );
          await assert.rejects(t.createPublisher().declare(type), (err: unknown) =>
            isMessagingError(err, 'DECLARE_FAILED'),
          );
        } finally {
          await t.close();
        }
      } finally {
        await owner.close();
      }
    });
  });
});
