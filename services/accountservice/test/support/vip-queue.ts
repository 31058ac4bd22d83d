import type { GetMessage } from 'amqplib';
import { plainChannel, uniqueName } from '@goblog/testkit';

/** A VIP queue of this test's own (the service publishes to it through VIP_QUEUE), so tests can run side by side. */
export function uniqueVipQueue(): string {
  return uniqueName('vip_queue.test.acct');
}

export interface ReceivedNotification {
  readonly accountId: string;
  readonly readAt: string;
  readonly messageId: string | undefined;
  readonly contentType: string | undefined;
  readonly deliveryMode: number | undefined;
  readonly type: string | undefined;
  readonly appId: string | undefined;
  readonly timestamp: number | undefined;
  readonly body: string;
}

/**
 * Takes every message that is in `queue` right now (basic.get until the queue answers empty), so a test
 * sees exactly what was delivered, duplicates included, without waiting on a consumer.
 */
export async function takeAll(queue: string): Promise<ReceivedNotification[]> {
  const { connection, channel } = await plainChannel();
  try {
    const out: ReceivedNotification[] = [];
    for (;;) {
      const msg: GetMessage | false = await channel.get(queue, { noAck: true });
      if (msg === false) return out;
      const body = msg.content.toString('utf8');
      const value = JSON.parse(body) as { accountId: string; readAt: string };
      // amqplib types these properties as `any`; narrow them here, at the boundary.
      const p = msg.properties as {
        messageId?: string;
        contentType?: string;
        deliveryMode?: number;
        type?: string;
        appId?: string;
        timestamp?: number;
      };
      out.push({
        accountId: value.accountId,
        readAt: value.readAt,
        body,
        messageId: p.messageId,
        contentType: p.contentType,
        deliveryMode: p.deliveryMode,
        type: p.type,
        appId: p.appId,
        timestamp: p.timestamp,
      });
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
