import type { Channel } from 'amqplib';
import type { Destination } from '../message-type.js';
import { deadLetterQueueName, retryQueueArguments, retryQueueName, workQueueArguments } from '../topology.js';

/** Declares a work queue with its delay queue and dead-letter queue (all durable). Idempotent. */
export async function declareWorkQueue(ch: Channel, queue: string, deliveryLimit: number): Promise<void> {
  await ch.assertQueue(deadLetterQueueName(queue), { durable: true });
  await ch.assertQueue(retryQueueName(queue), { durable: true, arguments: retryQueueArguments(queue) });
  await ch.assertQueue(queue, { durable: true, arguments: workQueueArguments(queue, deliveryLimit) });
}

/** Declares what a publisher needs so that nothing it publishes is lost for want of a queue or exchange. */
export async function declareDestination(
  ch: Channel,
  destination: Destination,
  deliveryLimit: number,
): Promise<void> {
  if (destination.kind === 'queue') await declareWorkQueue(ch, destination.queue, deliveryLimit);
  else await ch.assertExchange(destination.exchange, destination.exchangeType, { durable: true });
}

export function destinationName(destination: Destination): string {
  return destination.kind === 'queue' ? destination.queue : destination.exchange;
}
