import type { ChannelModel } from 'amqplib';
import type { Destination } from '../message-type.js';
import {
  deadLetterQueueArguments,
  deadLetterQueueName,
  retryQueueArguments,
  retryQueueName,
  workQueueArguments,
  type QueueType,
} from '../topology.js';
import { Declarer, type OnAdopted } from './declare.js';

/** How a work queue is declared. */
export interface WorkQueueTopology {
  readonly queueType: QueueType;
  /** Quorum queues only. */
  readonly deliveryLimit: number;
}

/**
 * Declares a work queue with its dead-letter queue and delay queue (all durable). Idempotent.
 * The work queue and the dead-letter queue of a classic work queue carry no arguments, so any plain client's
 * `assertQueue(name, { durable: true })` is equivalent; the delay queue is ours alone.
 * The companions take the type the work queue really has: a work queue that exists as the other type
 * (adopted, one warning) keeps companions of its own type, so an existing installation goes on as it was.
 * The work queue comes first; nothing can be dead-lettered from it before its companions follow.
 */
export async function declareWorkQueue(
  d: Declarer,
  queue: string,
  topology: WorkQueueTopology,
): Promise<void> {
  const args = workQueueArguments(queue, topology.queueType, topology.deliveryLimit);
  const existing = await d.queue(
    queue,
    args === undefined ? { durable: true } : { durable: true, arguments: args },
  );
  const found = existing?.get('x-queue-type');
  const queueType: QueueType =
    existing === undefined ? topology.queueType : found?.value === 'quorum' ? 'quorum' : 'classic';
  const dlq = deadLetterQueueArguments(queueType);
  await d.queue(
    deadLetterQueueName(queue),
    dlq === undefined ? { durable: true } : { durable: true, arguments: dlq },
  );
  await d.queue(retryQueueName(queue), {
    durable: true,
    arguments: retryQueueArguments(queue, queueType),
    deadLettersOnExpiry: true,
  });
}

/** Declares what a publisher needs so that nothing it publishes is lost for want of a queue or exchange. */
export async function declareDestination(
  d: Declarer,
  destination: Destination,
  topology: WorkQueueTopology,
): Promise<void> {
  if (destination.kind === 'queue') await declareWorkQueue(d, destination.queue, topology);
  else await d.exchange(destination.exchange, destination.exchangeType, { durable: true });
}

/** Runs `fn` with a declarer on `model`, closing its channel afterwards. */
export async function withDeclarer(
  model: ChannelModel,
  onAdopted: OnAdopted,
  fn: (d: Declarer) => Promise<void>,
): Promise<void> {
  const d = new Declarer(model, onAdopted);
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

export function destinationName(destination: Destination): string {
  return destination.kind === 'queue' ? destination.queue : destination.exchange;
}
