// Parking a message in a dead-letter queue as the vipservice's consumer parks one: a valid notification
// whose handler kept failing (say the store was away), with the reason headers our messaging writes.
import { randomUUID } from 'node:crypto';
import { HeaderNames } from '@goblog/messaging';
import { plainChannel } from '@goblog/testkit';

export interface ParkedMessage {
  readonly messageId: string;
  readonly accountId: string;
}

/** Publishes a parked copy of a valid VIP notification into `<queue>.dlq`, which must exist. */
export async function parkNotification(queue: string, accountId: string): Promise<ParkedMessage> {
  const messageId = randomUUID();
  const { connection } = await plainChannel();
  try {
    const ch = await connection.createConfirmChannel();
    // Declared by the vipservice with the work queue (quorum or classic, as it chose): only checked here.
    await ch.checkQueue(`${queue}.dlq`);
    const body = Buffer.from(JSON.stringify({ accountId, readAt: new Date().toISOString() }));
    ch.publish('', `${queue}.dlq`, body, {
      messageId,
      persistent: true,
      contentType: 'application/json',
      type: 'VipNotification',
      appId: 'accountservice',
      timestamp: Date.now(),
      headers: {
        [HeaderNames.deathReason]: 'handler-failed',
        [HeaderNames.error]: 'StoreClosedError: the offer store is closed',
        [HeaderNames.originalQueue]: queue,
        [HeaderNames.deadLetteredAt]: new Date().toISOString(),
        [HeaderNames.retryCount]: 3,
      },
    });
    await ch.waitForConfirms();
  } finally {
    await connection.close();
  }
  return { messageId, accountId };
}
