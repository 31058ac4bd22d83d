/** Names and arguments of the queues behind a work queue. Shared by publishers and consumers, which must agree. */

export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}

/**
 * The work queue itself: a quorum queue (durable, replicated where the broker is clustered). A message that
 * crashes its consumer process over and over is requeued by the broker each time; after `deliveryLimit`
 * deliveries the broker dead-letters it to `<queue>.dlq` instead of redelivering it forever.
 */
export function workQueueArguments(queue: string, deliveryLimit: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterQueueName(queue),
  };
}

/**
 * The delay queue: nobody consumes it. Each message carries its own expiration; when it expires the broker
 * dead-letters it back to the work queue. A classic queue, because only the head of a queue expires,
 * and that head-of-line behaviour is acceptable for a retry path (delays only grow).
 */
export function retryQueueArguments(queue: string): Record<string, unknown> {
  return {
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
  };
}

/** Default number of broker deliveries of one message before the broker parks it (see workQueueArguments). */
export const DEFAULT_DELIVERY_LIMIT = 20;
