/** Names and arguments of the queues behind a work queue. Shared by publishers and consumers, which must agree. */

/**
 * How a work queue is declared. `classic` (the default) is a plain durable queue with no arguments, the same
 * queue any client's `assertQueue(name, { durable: true })` declares. `quorum` is replicated and has a
 * delivery limit, but other clients must declare it with the very same arguments (see README).
 */
export type QueueType = 'classic' | 'quorum';

export const DEFAULT_QUEUE_TYPE: QueueType = 'classic';

export function retryQueueName(queue: string): string {
  return `${queue}.retry`;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}

/**
 * The work queue itself. Classic: no arguments, so that plain clients' declarations are equivalent to ours
 * (RabbitMQ refuses a re-declaration with other arguments: 406 PRECONDITION_FAILED).
 * Quorum: durable and replicated where the broker is clustered; a message that crashes its consumer process
 * over and over is requeued by the broker each time, and after `deliveryLimit` deliveries the broker
 * dead-letters it to `<queue>.dlq` instead of redelivering it forever.
 */
export function workQueueArguments(
  queue: string,
  queueType: QueueType,
  deliveryLimit: number,
): Record<string, unknown> | undefined {
  if (queueType === 'classic') return undefined;
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterQueueName(queue),
  };
}

/*
 * Broker-side dead-lettering stays at most once (RabbitMQ's default): its at-least-once strategy needs
 * `x-overflow: reject-publish`, and on RabbitMQ 3.10 a quorum queue with that overflow nacked every publish
 * after one of its nodes was killed, until it was deleted (seen with test/cluster/messaging-failover.test.ts).
 * A message can then be lost only if its dead-letter target is unavailable at the very moment it is
 * dead-lettered (see docs/cluster.md).
 */

/** The dead-letter queue: where parked messages wait for an operator. Quorum beside a quorum work queue. */
export function deadLetterQueueArguments(queueType: QueueType): Record<string, unknown> | undefined {
  return queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : undefined;
}

/**
 * The delay queue: nobody consumes it. Each message carries its own expiration; when it expires the broker
 * dead-letters it back to the work queue. Only the head of a queue expires (classic and quorum alike), and
 * that head-of-line behaviour is acceptable for a retry path (delays only grow).
 */
export function retryQueueArguments(
  queue: string,
  queueType: QueueType = 'classic',
): Record<string, unknown> {
  const back = { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue };
  // Beside a quorum work queue, replicated too: a message waiting for its retry survives the loss of a node.
  return queueType === 'quorum' ? { 'x-queue-type': 'quorum', ...back } : back;
}

/** Default number of broker deliveries of one message before the broker parks it (quorum queues only). */
export const DEFAULT_DELIVERY_LIMIT = 20;
