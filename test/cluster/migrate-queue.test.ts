// The documented way from a classic work queue (what earlier versions declared) to the quorum queues the
// services now declare: `npm run migrate-queue -- <queue>` keeps every waiting message, in the work queue,
// its delay queue and its dead-letter queue, with its id and headers. On the single broker: the migration
// does not need a cluster.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Channel } from 'amqplib';
import { Type } from 'typebox';
import { connectAmqp, defineMessage } from '@goblog/messaging';
import {
  BROKER_URL,
  captureLogger,
  deleteQueues,
  plainChannel,
  queueDepth,
  spawnNode,
  uniqueName,
} from '@goblog/testkit';

const queue = uniqueName('migrate.vip_queue');

async function refuses(declare: (ch: Channel) => Promise<unknown>): Promise<boolean> {
  const { connection, channel } = await plainChannel();
  channel.on('error', () => undefined);
  try {
    await declare(channel);
    return false;
  } catch (err) {
    return (err as { code?: unknown }).code === 406;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

void describe('npm run migrate-queue', () => {
  after(async () => {
    await deleteQueues(queue);
    await deleteQueues(`${queue}.migrating`);
  });

  void it(
    'turns a classic work queue into quorum queues and loses nothing that waited in it',
    { timeout: 120_000 },
    async () => {
      // As an earlier version left it: classic queues, holding work, a parked message and a pending retry.
      const { connection, channel } = await plainChannel();
      try {
        await channel.assertQueue(`${queue}.dlq`, { durable: true });
        await channel.assertQueue(`${queue}.retry`, {
          durable: true,
          arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
        });
        await channel.assertQueue(queue, { durable: true });
        const send = (q: string, n: number, extra: Record<string, unknown> = {}) =>
          channel.sendToQueue(q, Buffer.from(JSON.stringify({ n })), {
            persistent: true,
            messageId: `m-${q.slice(queue.length) || 'work'}-${n}`,
            headers: { 'x-origin': 'classic' },
            ...extra,
          });
        for (let n = 0; n < 30; n++) send(queue, n);
        for (let n = 0; n < 4; n++) send(`${queue}.dlq`, n);
        for (let n = 0; n < 3; n++) send(`${queue}.retry`, n, { expiration: '3600000' });
        await channel.close();
      } finally {
        await connection.close();
      }

      const run = spawnNode(['--import', 'tsx', '--conditions=source', 'scripts/migrate-queue.ts', queue], {
        env: { AMQP_SERVER_URL: BROKER_URL },
        label: 'migrate-queue',
      });
      assert.equal(await run.exited, 0, run.lines.join('\n'));
      assert.ok(!run.lines.join('\n').includes('guest:guest'), 'no password in its output');

      // Every message is where it belongs; the delayed retries went back to the work queue.
      assert.equal(await queueDepth(queue), 33);
      assert.equal(await queueDepth(`${queue}.dlq`), 4);
      assert.equal(await queueDepth(`${queue}.retry`), 0);
      assert.equal(await queueDepth(`${queue}.migrating`), undefined, 'no holding queue left');
      // They are quorum queues now: a classic declaration is refused.
      assert.equal(await refuses((ch) => ch.assertQueue(queue, { durable: true })), true);
      assert.equal(await refuses((ch) => ch.assertQueue(`${queue}.dlq`, { durable: true })), true);

      // The services' declaration is the migrated one (no warning), and every message arrives with its id.
      const log = captureLogger();
      const t = await connectAmqp({
        url: BROKER_URL,
        connectionName: 'migrated',
        queueType: 'quorum',
        logger: log,
      });
      try {
        const ids = new Set<string>();
        const all = new Promise<void>((resolve) => {
          void t.subscribeToQueue(
            defineMessage({
              name: 'Any',
              schema: Type.Object({ n: Type.Integer() }),
              destination: { kind: 'queue', queue },
            }),
            (_m, meta) => {
              ids.add(meta.messageId ?? '');
              if (ids.size === 33) resolve();
              return Promise.resolve();
            },
            { consumerName: 'migrated' },
          );
        });
        await all;
        assert.ok(ids.has('m-work-0') && ids.has('m-.retry-2'));
        assert.deepEqual(
          log.lines.filter((l) => l.level === 'warn').map((l) => l.msg),
          [],
        );
      } finally {
        await t.close();
      }
    },
  );
});
