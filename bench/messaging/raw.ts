// The baseline of the messaging bench: what a careful plain amqplib script does for the same work, on the
// same topology as the package declares (a work queue, its retry queue and its dead-letter queue), with the
// same message properties and confirm window.
import { randomUUID } from 'node:crypto';
import amqplib, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { QueueType } from '@goblog/messaging';
import { body, now } from './workload.ts';

/** The package's default x-delivery-limit, so that both sides' quorum queues are declared alike. */
const DELIVERY_LIMIT = 20;

function workQueueOptions(queue: string, queueType: QueueType): amqplib.Options.AssertQueue {
  return queueType === 'classic' ? { durable: true } : { durable: true, arguments: quorumArgs(queue) };
}

function quorumArgs(queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': DELIVERY_LIMIT,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': `${queue}.dlq`,
  };
}

export async function rawConnect(url: string): Promise<ChannelModel> {
  const c = await amqplib.connect(url);
  c.on('error', () => undefined);
  return c;
}

export async function rawDeclare(conn: ChannelModel, queue: string, queueType: QueueType): Promise<void> {
  const ch = await conn.createChannel();
  await ch.assertQueue(`${queue}.dlq`, { durable: true });
  await ch.assertQueue(`${queue}.retry`, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  });
  await ch.assertQueue(queue, workQueueOptions(queue, queueType));
  await ch.close();
}

/** Publishes n messages with at most `window` unconfirmed, honouring drain. */
export function rawPublishMany(ch: ConfirmChannel, queue: string, n: number, window: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    let writable = true;
    ch.on('drain', () => {
      writable = true;
      pump();
    });
    const onConfirm = (err: unknown): void => {
      if (err) {
        reject(err instanceof Error ? err : new Error('publish nacked'));
        return;
      }
      inflight--;
      confirmed++;
      if (confirmed === n) resolve();
      else pump();
    };
    function pump(): void {
      while (writable && inflight < window && sent < n) {
        const content = Buffer.from(JSON.stringify(body(sent)));
        sent++;
        inflight++;
        writable = ch.sendToQueue(
          queue,
          content,
          {
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
            messageId: randomUUID(),
            timestamp: Math.floor(Date.now() / 1000),
            type: 'BenchMessage',
            appId: 'bench',
          },
          onConfirm,
        );
      }
    }
    pump();
  });
}

/** Consumes until n messages are handled; returns the publish -> handler latencies. */
export async function rawConsume(
  conn: ChannelModel,
  queue: string,
  n: number,
  prefetch: number,
  onStart?: () => void,
): Promise<number[]> {
  const ch = await conn.createChannel();
  await ch.prefetch(prefetch);
  const latencies: number[] = [];
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const { consumerTag } = await ch.consume(
    queue,
    (msg: ConsumeMessage | null) => {
      if (msg === null) return;
      const v = JSON.parse(msg.content.toString('utf8')) as { sentAt: number };
      latencies.push(now() - v.sentAt);
      ch.ack(msg);
      if (++handled === n) done();
    },
    { noAck: false },
  );
  onStart?.();
  await finished;
  await ch.cancel(consumerTag);
  await ch.close();
  return latencies;
}

export async function rawCleanup(conn: ChannelModel, queue: string): Promise<void> {
  const ch = await conn.createChannel();
  for (const q of [queue, `${queue}.retry`, `${queue}.dlq`]) await ch.deleteQueue(q);
  await ch.close();
}
