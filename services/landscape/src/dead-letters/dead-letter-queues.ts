import type { Channel, ConfirmChannel, GetMessage } from 'amqplib';
import { deadLetterQueueName } from '@goblog/messaging';
import type { AmqpLink } from '../broker/amqp-link.js';
import { keyOf, originalQueueOf, viewOf } from './message-view.js';
import type { DeadLetterView } from './message-view.js';
import { publishConfirmed, putBackProperties } from './republish.js';

/** The most messages one replay or discard looks at: a call is bounded, a larger queue takes several. */
export const MAX_SCAN = 10_000;

export interface DeadLetterListing {
  readonly queue: string;
  /** Messages in the queue when it was looked at. */
  readonly total: number;
  readonly messages: readonly DeadLetterView[];
  /** True when the queue holds more than were listed. */
  readonly truncated: boolean;
}

/** Which messages an operation takes: the ones of these keys (see DeadLetterView.key), or every one. */
export interface Selection {
  readonly keys?: readonly string[];
}

/** A replay cut short (the broker connection went away): what was replayed before it, all of it confirmed. */
export class ReplayInterruptedError extends Error {
  readonly replayed: number;
  constructor(replayed: number, cause: unknown) {
    super(
      `the broker connection was lost during the replay after ${replayed} message(s); the others are still ` +
        'in the dead-letter queue (one may have reached its queue too: replaying it again is safe, its ' +
        'message_id is kept)',
      { cause },
    );
    this.name = 'ReplayInterruptedError';
    this.replayed = replayed;
  }
}

/**
 * The dead-letter queues of the watched work queues: listed without being consumed, replayed to the queue
 * each message came from, discarded. Operations on one queue run one after another.
 *
 * Looking at a message over AMQP means getting it; what matters is how it goes back:
 * - a classic queue (no `x-delivery-count`): it is held unacknowledged and all are requeued at once at the
 *   end; the broker puts each back at its own position and keeps no count (only the parked copy's
 *   `redelivered` flag changes, which nothing reads: a replay publishes a fresh copy);
 * - a quorum queue (its deliveries carry `x-delivery-count`): a requeue would count as a failed delivery,
 *   and where the queue has a delivery limit (RabbitMQ 4 gives quorum queues one by default) enough looks
 *   would drop the message. So each message looked at is put back as an identical copy at the tail (published
 *   with a confirm, then the original acked), every message of the queue in turn: a full pass keeps the order,
 *   and the copy starts with no delivery count. A message parked during the pass lands before the ones put
 *   back after it; a connection lost between a copy's confirm and the original's ack leaves the message
 *   twice (same message_id: replaying both counts it once).
 * Nothing is ever out of the queue unconfirmed: if the landscape dies, the broker requeues what it held.
 *
 * Replay takes one message at a time: publish a copy with a confirm (message_id kept, x-replay-count + 1),
 * and only once the broker confirmed it, ack the parked one. A connection lost in between leaves the parked
 * one where it was: nothing is lost, and a copy that did arrive is counted once by the consumer's dedup.
 */
export class DeadLetterQueues {
  readonly #link: AmqpLink;
  readonly #queues: ReadonlyMap<string, string>;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(link: AmqpLink, workQueues: readonly string[]) {
    this.#link = link;
    this.#queues = new Map(workQueues.map((q) => [deadLetterQueueName(q), q]));
  }

  /** The dead-letter queues this landscape acts on. */
  get names(): string[] {
    return [...this.#queues.keys()];
  }

  has(queue: string): boolean {
    return this.#queues.has(queue);
  }

  /** The first `limit` messages of `queue`, which stay in it, in their order. */
  async list(queue: string, limit: number): Promise<DeadLetterListing> {
    const views: DeadLetterView[] = [];
    const { total } = await this.#pass(
      queue,
      (_ch, message) => {
        if (views.length < limit) views.push(viewOf(message));
        return Promise.resolve('keep' as const);
      },
      limit,
    );
    return { queue, total, messages: views, truncated: total > views.length };
  }

  /** Replays the selected messages; resolves with how many were confirmed on their queue and removed. */
  async replay(queue: string, selection: Selection): Promise<{ replayed: number; skipped: number }> {
    const workQueue = this.#queues.get(queue);
    if (workQueue === undefined) throw new Error(`${queue} is not a watched dead-letter queue`);
    const wanted = selection.keys === undefined ? undefined : new Set(selection.keys);
    let replayed = 0;
    let skipped = 0;
    try {
      await this.#pass(queue, async (ch, message) => {
        if (wanted !== undefined && !wanted.has(keyOf(message))) return 'keep';
        // Back to the queue it came from, and only that one: a header naming another queue is not followed.
        const from = originalQueueOf(message);
        if (
          (from !== null && from !== workQueue) ||
          (await publishConfirmed(ch, workQueue, message)) === 'returned'
        ) {
          skipped++;
          return 'keep';
        }
        replayed++;
        return 'remove';
      });
      return { replayed, skipped };
    } catch (err) {
      throw new ReplayInterruptedError(replayed, err);
    }
  }

  /** Removes the selected messages for good; resolves with how many. */
  async discard(queue: string, selection: Selection): Promise<{ discarded: number }> {
    const wanted = selection.keys === undefined ? undefined : new Set(selection.keys);
    let discarded = 0;
    await this.#pass(queue, (_ch, message) => {
      if (wanted !== undefined && !wanted.has(keyOf(message))) return Promise.resolve('keep' as const);
      discarded++;
      return Promise.resolve('remove' as const);
    });
    return { discarded };
  }

  /**
   * One pass over the queue as it is at the start (messages parked meanwhile are not taken): `visit` says
   * of each message whether it goes ('remove': acked) or stays ('keep': put back, see the class comment).
   * On a classic queue a pass that only keeps stops after `stopAfter` messages.
   */
  #pass(
    queue: string,
    visit: (channel: ConfirmChannel, message: GetMessage) => Promise<'keep' | 'remove'>,
    stopAfter = MAX_SCAN,
  ): Promise<{ total: number }> {
    return this.#serial(queue, () =>
      this.#link.withConfirmChannel(async (ch) => {
        const { messageCount } = await ch.checkQueue(queue);
        let seen = 0;
        try {
          while (seen < Math.min(messageCount, MAX_SCAN)) {
            const message = await ch.get(queue, { noAck: false });
            if (message === false) break;
            seen++;
            const verdict = await visit(ch, message);
            const counted = typeof message.properties.headers?.['x-delivery-count'] === 'number';
            if (verdict === 'remove') {
              ch.ack(message);
            } else if (counted) {
              if ((await publishConfirmed(ch, queue, message, putBackProperties(message))) === 'confirmed') {
                ch.ack(message);
              }
            } else if (seen >= stopAfter) {
              break;
            }
          }
        } finally {
          requeueAll(ch);
        }
        return { total: messageCount };
      }),
    );
  }

  #serial<T>(queue: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(queue) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(operation);
    this.#locks.set(queue, next);
    return next;
  }
}

/** Every message this channel holds unacknowledged goes back to its queue (a no-op on a closed channel). */
function requeueAll(ch: Channel): void {
  try {
    ch.nackAll(true);
  } catch {
    // The channel is gone: the broker has requeued them already.
  }
}
