import { deadLetterQueueName, retryQueueName } from '@goblog/messaging';
import type { AmqpLink } from './amqp-link.js';
import type { ManagementQueue } from './management.js';

export type QueueRole = 'work' | 'retry' | 'dead-letter';

/** One queue as the page shows it. Without the management API, the AMQP view alone (ready and consumers). */
export interface QueueView {
  readonly name: string;
  readonly role: QueueRole;
  /** The work queue this one belongs to (itself for a work queue). */
  readonly workQueue: string;
  readonly exists: boolean;
  /** Messages ready for delivery (what a passive declare reports). */
  readonly messages: number;
  readonly consumers: number;
  /** From the management API only; null without it. */
  readonly messagesUnacknowledged: number | null;
  readonly type: string | null;
  readonly leader: string | null;
  readonly members: readonly string[] | null;
  readonly publishRate: number | null;
  readonly deliverRate: number | null;
}

/** The queues behind each watched work queue: itself, its delay queue and its dead-letter queue. */
export function watchedQueues(
  workQueues: readonly string[],
): { name: string; role: QueueRole; workQueue: string }[] {
  return workQueues.flatMap((q) => [
    { name: q, role: 'work' as const, workQueue: q },
    { name: retryQueueName(q), role: 'retry' as const, workQueue: q },
    { name: deadLetterQueueName(q), role: 'dead-letter' as const, workQueue: q },
  ]);
}

/**
 * Each queue's depth and consumers over AMQP (a passive declare: exact, and works on any broker), merged
 * with what the management API adds where it answers. A queue that does not exist is reported as such.
 */
export async function readQueues(
  link: AmqpLink,
  queues: readonly { name: string; role: QueueRole; workQueue: string }[],
  management: ReadonlyMap<string, ManagementQueue> | undefined,
): Promise<QueueView[]> {
  const views: QueueView[] = [];
  for (const queue of queues) {
    // A passive declare of a missing queue closes its channel (404): one channel per queue.
    const ok = await link
      .withChannel((ch) => ch.checkQueue(queue.name))
      .catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      });
    const m = management?.get(queue.name);
    views.push({
      ...queue,
      exists: ok !== null,
      messages: ok?.messageCount ?? 0,
      consumers: ok?.consumerCount ?? 0,
      messagesUnacknowledged: m?.messagesUnacknowledged ?? null,
      type: m?.type ?? null,
      leader: m?.leader ?? null,
      members: m?.members ?? null,
      publishRate: m?.publishRate ?? null,
      deliverRate: m?.deliverRate ?? null,
    });
  }
  return views;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;
}
