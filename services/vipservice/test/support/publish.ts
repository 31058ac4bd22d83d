import { randomUUID } from 'node:crypto';
import { connectAmqp } from '@goblog/messaging';
import { BROKER_URL } from '@goblog/testkit';
import { vipNotificationType } from '../../src/messages.js';

/**
 * Publishes `count` VIP notifications for `accountId` on `queue` the way the accountservice does (typed,
 * confirmed, a unique message_id each), declaring the queue if it is not there yet. Resolves once the
 * broker confirmed them all.
 */
export async function publishNotifications(queue: string, count: number, accountId = '10000'): Promise<void> {
  const transport = await connectAmqp({
    url: BROKER_URL,
    connectionName: `vipservice-test-publisher:${randomUUID()}`,
  });
  try {
    const publisher = transport.createPublisher();
    const type = vipNotificationType(queue);
    const base = Date.parse('2024-01-01T00:00:00Z');
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        publisher.publish(type, { accountId, readAt: new Date(base + i * 1000).toISOString() }),
      ),
    );
    await publisher.close();
  } finally {
    await transport.close();
  }
}
