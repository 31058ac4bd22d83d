import { randomUUID } from 'node:crypto';
import { MessagingError } from '../errors.js';
import type { MessageType } from '../message-type.js';
import type { QueueType } from '../topology.js';

/** Where a consumer reads: a shared work queue, or a private queue bound to an exchange. */
export type ConsumerSource =
  | { readonly kind: 'work'; readonly queue: string; readonly queueType: QueueType }
  | {
      readonly kind: 'fanout';
      readonly exchange: string;
      readonly exchangeType: string;
      readonly bindingKey: string;
      readonly queue: string;
    };

/**
 * The work queue a `subscribeToQueue` consumer shares with the other instances: the type's queue, of the
 * type's queue type or else the transport's. Throws INVALID_OPTIONS for a type published to an exchange (the wrong call, not a bad message).
 */
export function workSource(type: MessageType, defaultQueueType: QueueType): ConsumerSource {
  const d = type.destination;
  if (d.kind !== 'queue') {
    throw new MessagingError('INVALID_OPTIONS', `${type.name} is published to an exchange; use subscribe()`);
  }
  return { kind: 'work', queue: d.queue, queueType: d.queueType ?? defaultQueueType };
}

/**
 * The private queue a `subscribe` consumer gets, bound to the type's exchange: named after the exchange and
 * the consumer, with a random suffix so that every instance (and every restart) has its own. Throws
 * INVALID_OPTIONS for a type published to a queue.
 */
export function fanoutSource(
  type: MessageType,
  consumerName: string,
  bindingKey: string | undefined,
): ConsumerSource {
  const d = type.destination;
  if (d.kind !== 'exchange') {
    throw new MessagingError(
      'INVALID_OPTIONS',
      `${type.name} is published to a queue; use subscribeToQueue()`,
    );
  }
  return {
    kind: 'fanout',
    exchange: d.exchange,
    exchangeType: d.exchangeType,
    bindingKey: bindingKey ?? d.routingKey,
    queue: `${d.exchange}.${consumerName}.${randomUUID().slice(0, 8)}`,
  };
}
