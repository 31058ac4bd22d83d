import type { Database, RootDatabase } from 'lmdb';
import type { NotificationOutbox, PendingNotification } from '../domain/notification.js';
import { StoreClosedError } from '../errors.js';

/** An outbox entry: a recorded notification and its position in recording order. */
export interface OutboxEntry extends PendingNotification {
  readonly seq: number;
}

/**
 * What the relay needs from the outbox. The relay calls `remove` once after each `peek` that returned
 * entries, with those of them that are done: an outbox shared by several relays (PostgreSQL) claims the
 * entries `peek` returns until then, so that no other relay takes them meanwhile.
 */
export interface OutboxReader {
  /** Up to `limit` entries in recording order, leaving out the sequence numbers in `skip`. */
  peek(limit: number, skip?: ReadonlySet<number>): OutboxEntry[] | Promise<OutboxEntry[]>;
  /**
   * Deletes entries (and ends the claim of the last `peek`, releasing what it does not delete); resolves
   * once the deletion is committed. Deleting a missing entry is a no-op.
   */
  remove(seqs: readonly number[]): Promise<void>;
  /** Calls `listener` after each recorded entry is committed (the relay's wake-up). Returns an unsubscribe. */
  onRecorded(listener: () => void): () => void;
  /** Entries recorded and not yet removed. */
  readonly depth: number;
  /** When the oldest entry was recorded (ms since epoch), or undefined when the outbox is empty. */
  oldestRecordedAt(): number | undefined;
  /**
   * How many peeked batches may await their confirms at once (the relay's `maxBatchesInFlight`): several
   * when a peek claims nothing, one when a peek's entries are claimed until the next `remove`. Default 1.
   */
  readonly maxBatchesInFlight?: number;
}

/** How long VIP reads have waited for their outbox commits (the relay's record pressure reads it). */
export interface CommitWaits {
  /** Milliseconds records have spent waiting for their commit (each read answers only after it), in all. */
  readonly commitWaitMs: number;
}

type StoredEntry = PendingNotification;

/**
 * The transactional outbox, in the same LMDB environment as the accounts. Keys are a monotonically
 * increasing sequence number, so iteration order is recording order; the sequence continues after a restart
 * from the highest key left. One accountservice process per data_dir writes it.
 *
 * `record` relies on lmdb-js batching: every put of one event-loop turn goes into one transaction, and the
 * put's promise resolves when that transaction is committed, so concurrent VIP reads share a commit.
 */
export class LmdbOutbox implements NotificationOutbox, OutboxReader, CommitWaits {
  readonly #db: Database<StoredEntry, number>;
  readonly #isOpen: () => boolean;
  readonly #flushOn: RootDatabase | undefined;
  readonly #listeners = new Set<() => void>();
  /**
   * Read by one relay only, whose `skip` keeps the entries in flight out of its peeks: a batch recorded while
   * earlier ones await their confirms goes out without waiting for them.
   */
  readonly maxBatchesInFlight = 4;
  readonly #deleting = new Set<number>();
  #lastSeq: number;
  #depth: number;
  #commitWaitMs = 0;

  constructor(db: Database<StoredEntry, number>, isOpen: () => boolean, flushOn: RootDatabase | undefined) {
    this.#db = db;
    this.#isOpen = isOpen;
    this.#flushOn = flushOn;
    let last = 0;
    for (const key of db.getKeys({ reverse: true, limit: 1 })) last = key;
    this.#lastSeq = last;
    this.#depth = db.getKeysCount();
  }

  /** Resolves once the entry is committed (see OpenStoreOptions.durability); rejects if it is not. */
  async record(notification: PendingNotification): Promise<void> {
    if (!this.#isOpen()) throw new StoreClosedError();
    const seq = ++this.#lastSeq;
    const stored: StoredEntry = {
      messageId: notification.messageId,
      body: notification.body,
      recordedAt: notification.recordedAt,
      ...(notification.traceparent === undefined ? {} : { traceparent: notification.traceparent }),
    };
    const started = performance.now();
    try {
      await this.#db.put(seq, stored);
      if (this.#flushOn !== undefined) await this.#flushOn.flushed;
    } finally {
      this.#commitWaitMs += performance.now() - started;
    }
    this.#depth++;
    for (const listener of this.#listeners) listener();
  }

  /** Milliseconds records have waited for their commit, in all (CommitWaits). */
  get commitWaitMs(): number {
    return this.#commitWaitMs;
  }

  peek(limit: number, skip?: ReadonlySet<number>): OutboxEntry[] {
    if (!this.#isOpen()) return [];
    const entries: OutboxEntry[] = [];
    for (const { key, value } of this.#db.getRange()) {
      if (skip?.has(key)) continue;
      entries.push({ seq: key, ...value });
      if (entries.length >= limit) break;
    }
    return entries;
  }

  async remove(seqs: readonly number[]): Promise<void> {
    if (!this.#isOpen()) throw new StoreClosedError();
    // lmdb's remove resolves true even for a missing key, so the depth counter decides what exists itself.
    const present = [...new Set(seqs)].filter((seq) => !this.#deleting.has(seq) && this.#db.doesExist(seq));
    for (const seq of present) this.#deleting.add(seq);
    try {
      await Promise.all(present.map((seq) => this.#db.remove(seq)));
      this.#depth -= present.length;
    } finally {
      for (const seq of present) this.#deleting.delete(seq);
    }
  }

  onRecorded(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get depth(): number {
    return this.#depth;
  }

  oldestRecordedAt(): number | undefined {
    if (!this.#isOpen()) return undefined;
    for (const { value } of this.#db.getRange({ limit: 1 })) return value.recordedAt;
    return undefined;
  }
}
