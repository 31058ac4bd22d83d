import type { Logger, MessageType, Publisher } from '@goblog/messaging';
import { isMessagingError } from '@goblog/messaging';
import type { VipNotificationSchema } from '@goblog/contracts';
import type { OutboxEntry } from '../store/outbox-store.js';
import type { OutboxMetrics } from './outbox-metrics.js';

/** What publishing a batch came to: the entries to delete (confirmed or discarded) and the failures. */
export interface Sent {
  readonly done: number[];
  failed: number;
  firstError: unknown;
}

export interface BatchTarget {
  readonly publisher: Publisher;
  readonly messageType: MessageType<typeof VipNotificationSchema>;
  readonly appId?: string;
  readonly metrics?: OutboxMetrics;
}

/**
 * Publishes a batch, all of it at once, each entry under its own message id, record time and trace context;
 * says which entries are done (confirmed by the broker, or discarded as unpublishable) and what failed.
 * Counts published, failed (by error code) and discarded entries in `metrics`.
 */
export async function publishBatch(
  target: BatchTarget,
  batch: readonly OutboxEntry[],
  log: Logger,
): Promise<Sent> {
  const { publisher, messageType, appId, metrics } = target;
  const results = await Promise.allSettled(
    batch.map((entry) =>
      publisher.publish(messageType, entry.body, {
        messageId: entry.messageId,
        timestamp: entry.recordedAt,
        ...(appId === undefined ? {} : { appId }),
        ...(entry.traceparent === undefined ? {} : { traceparent: entry.traceparent }),
      }),
    ),
  );
  const sent: Sent = { done: [], failed: 0, firstError: undefined };
  let discarded = 0;
  results.forEach((result, i) => {
    const entry = batch[i];
    if (entry === undefined) return;
    if (result.status === 'fulfilled') {
      sent.done.push(entry.seq);
    } else if (isMessagingError(result.reason, 'INVALID_MESSAGE')) {
      // Can never be published (a damaged entry); retrying it forever would only hold the backoff up.
      log.error(
        { err: result.reason, messageId: entry.messageId },
        'discarding an unpublishable outbox entry',
      );
      metrics?.discarded.inc();
      discarded++;
      sent.done.push(entry.seq);
    } else {
      sent.failed++;
      sent.firstError ??= result.reason;
      metrics?.publishFailures.inc({
        code: isMessagingError(result.reason) ? result.reason.code : 'UNKNOWN',
      });
    }
  });
  const published = sent.done.length - discarded;
  if (published > 0) metrics?.published.inc(published);
  return sent;
}
