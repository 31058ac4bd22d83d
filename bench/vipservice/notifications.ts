// The notifications the vipservice bench works on: all of them about one VIP account, and a backlog of them
// put on a queue the way the accountservice publishes them, for the consume scenarios.
import amqplib from 'amqplib';
import { connectAmqp } from '@goblog/messaging';
import { vipNotificationType } from '@goblog/vipservice';
import { BROKER_URL } from '@goblog/testkit';
import { until } from '../lib/wait.ts';

/** The account every notification of the bench is about (the accountservice's VIP account in e2e runs). */
export const ACCOUNT = '10000';

/**
 * Puts `count` notifications on `queue` as the accountservice does (typed, persistent, confirmed, a message_id
 * each), declaring the queue's topology, and waits until the broker holds them all.
 */
export async function fillBacklog(queue: string, count: number): Promise<void> {
  const transport = await connectAmqp({ url: BROKER_URL, connectionName: `bench-filler:${queue}` });
  try {
    const publisher = transport.createPublisher();
    const type = vipNotificationType(queue);
    const base = Date.now();
    const chunk = 2000;
    for (let from = 0; from < count; from += chunk) {
      const size = Math.min(chunk, count - from);
      await Promise.all(
        Array.from({ length: size }, (_, i) =>
          publisher.publish(type, { accountId: ACCOUNT, readAt: new Date(base + from + i).toISOString() }),
        ),
      );
    }
    await publisher.close();
  } finally {
    await transport.close();
  }
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    await until(async () => (await channel.checkQueue(queue)).messageCount >= count, 60_000);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
