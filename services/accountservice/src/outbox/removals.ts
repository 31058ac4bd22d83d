import type { Logger } from '@goblog/messaging';
import type { OutboxReader } from '../store/outbox-store.js';
import type { RelayRound } from './relay-options.js';

/**
 * The entries the relay has taken out of the outbox's next `peek`: those of batches in flight (`claim`,
 * until their publish settles) and the confirmed ones until their deletion, which runs behind the relay's
 * next rounds. Guarantees: an entry handed to `remove` is in `pending` until its deletion is committed, so
 * this process never publishes it twice (a failed deletion leaves it there: a restarted process resends it,
 * under the same message id); an entry claimed and not confirmed is `release`d to the next peek; the round
 * listeners hear of a round once its deletion is committed.
 */
export class Removals {
  readonly #outbox: OutboxReader;
  readonly #log: Logger;
  readonly #pending = new Set<number>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #listeners = new Set<(round: RelayRound) => void>();

  constructor(outbox: OutboxReader, log: Logger) {
    this.#outbox = outbox;
    this.#log = log;
  }

  /** Sequence numbers in flight, or confirmed and not yet deleted: what the next `peek` leaves out. */
  get pending(): ReadonlySet<number> {
    return this.#pending;
  }

  onRound(listener: (round: RelayRound) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `seqs` are being published: the next peeks leave them out. */
  claim(seqs: readonly number[]): void {
    for (const seq of seqs) this.#pending.add(seq);
  }

  /** `seqs` were claimed and not confirmed: the next peek takes them again. */
  release(seqs: readonly number[]): void {
    for (const seq of seqs) this.#pending.delete(seq);
  }

  /** Deletes `seqs` (a round's done entries, `failed` the rest) in the background. */
  remove(seqs: readonly number[], failed: number): void {
    for (const seq of seqs) this.#pending.add(seq);
    const removal = this.#outbox.remove(seqs).then(
      () => {
        for (const seq of seqs) this.#pending.delete(seq);
        const round: RelayRound = { published: seqs.length, failed, depth: this.#outbox.depth };
        for (const listener of this.#listeners) listener(round);
      },
      (err: unknown) => {
        // They stay pending: this process will not resend them; a restarted one will (same message ids).
        this.#log.error({ err, count: seqs.length }, 'could not delete confirmed outbox entries');
      },
    );
    this.#inFlight.add(removal);
    void removal.finally(() => this.#inFlight.delete(removal));
  }

  /** Settles once every deletion started so far has. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#inFlight]);
  }
}
