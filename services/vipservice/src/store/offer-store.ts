import { join } from 'node:path';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import type { Offer, OfferRepository, RecordOutcome } from '../domain/offer.js';
import { StoreClosedError, StoreOpenFailedError } from '../errors.js';
import { steadyClock } from './steady-clock.js';

export interface OpenOfferStoreOptions {
  /** The service's data_dir; the store lives in `${dataDir}/vipservice`. */
  readonly dataDir: string;
  /**
   * When `applyOnce` resolves (and so when the message is acknowledged):
   * - 'commit' (default): the transaction is committed and visible to every process sharing the store. It
   *   survives kill -9 of any of them (lmdb-js's overlappingSync restores the latest committed transaction
   *   after a process crash); a power loss may undo the last milliseconds of commits, never corrupt the store.
   * - 'flush': additionally waits for the commit to be fsync'ed, which survives a power loss too, for one
   *   disk flush more of latency (shared by all the messages committed together).
   */
  readonly durability?: 'commit' | 'flush';
  /**
   * When a dedup record is made (ms since epoch), for pruning; tests pin it. Default a steady clock: the wall
   * clock at open advanced by monotonic time, so a step of the system clock cannot age a record early.
   */
  readonly clock?: () => number;
}

/** A dedup record's time index key: oldest first, so pruning reads from the front. */
type SeenKey = [seenAt: number, dedupKey: string];

/**
 * The vipservice's embedded store, in its own LMDB environment (`${data_dir}/vipservice`), shared by every
 * instance on the host that uses the same data_dir:
 * - `offers`: accountId -> Offer;
 * - `dedup`: dedup key (message id, or body digest) -> when it was recorded (ms), and `dedup-by-time`,
 *   the same records ordered by time, so that old ones can be pruned in small batches.
 *
 * `applyOnce` runs in an lmdb-js asynchronous transaction: the check of the dedup key, the offer change and
 * the dedup record happen under LMDB's single writer lock, which is held across processes, so two instances
 * can never both count one message. lmdb-js puts every transaction queued in one event-loop turn into the
 * same commit: concurrent handlers share a disk commit, and each still learns only after it.
 */
export class OfferStore implements OfferRepository {
  readonly path: string;
  /** Where it is (OfferStorage): its path. */
  readonly location: string;
  readonly #root: RootDatabase;
  readonly #offers: Database<Offer, string>;
  readonly #dedup: Database<number, string>;
  readonly #seen: Database<number, SeenKey>;
  readonly #flush: boolean;
  readonly #clock: () => number;
  #open = true;

  private constructor(path: string, root: RootDatabase, options: OpenOfferStoreOptions) {
    this.path = path;
    this.location = path;
    this.#root = root;
    this.#offers = root.openDB<Offer, string>({ name: 'offers' });
    this.#dedup = root.openDB<number, string>({ name: 'dedup' });
    this.#seen = root.openDB<number, SeenKey>({ name: 'dedup-by-time' });
    this.#flush = options.durability === 'flush';
    this.#clock = options.clock ?? steadyClock();
  }

  /** Opens (creating when missing) the environment. Throws StoreOpenFailedError. */
  static open(options: OpenOfferStoreOptions): OfferStore {
    const path = join(options.dataDir, 'vipservice');
    let root: RootDatabase;
    try {
      // lmdb-js's defaults are the safe ones (no noSync/useWritemap); overlappingSync (its Linux default)
      // keeps the fsync out of the writer lock that the instances sharing the store compete for.
      root = open({ path, maxDbs: 4 });
    } catch (cause) {
      throw new StoreOpenFailedError(path, cause);
    }
    return new OfferStore(path, root, options);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get(accountId: string): Offer | undefined {
    if (!this.#open) throw new StoreClosedError();
    return this.#offers.get(accountId);
  }

  applyOnce(
    dedupKey: string,
    accountId: string,
    change: (current: Offer | undefined) => Offer,
  ): Promise<RecordOutcome> {
    if (!this.#open) return Promise.reject(new StoreClosedError());
    const committed = this.#root.transaction((): RecordOutcome => {
      if (this.#dedup.doesExist(dedupKey)) return 'duplicate';
      // Everything that can throw runs before the first write: lmdb-js's batched transactions do not roll
      // back a callback's own writes when it throws.
      const next = change(this.#offers.get(accountId));
      const seenAt = this.#clock();
      this.#offers.putSync(accountId, next);
      this.#dedup.putSync(dedupKey, seenAt);
      this.#seen.putSync([seenAt, dedupKey], 1);
      return 'recorded';
    });
    if (!this.#flush) return committed;
    return committed.then(async (outcome) => {
      await this.#root.flushed;
      return outcome;
    });
  }

  /**
   * Forgets up to `limit` dedup records made before `cutoffMs` (ms since epoch), oldest first, in one
   * transaction; resolves with how many it removed. Small batches keep the writer lock short.
   */
  pruneDedup(cutoffMs: number, limit: number): Promise<number> {
    if (!this.#open) return Promise.resolve(0);
    return this.#root.transaction(() => {
      // Collected first: removing under a live cursor is not something to rely on.
      const old: SeenKey[] = [];
      for (const key of this.#seen.getKeys({ start: [0], end: [cutoffMs], limit })) old.push(key);
      for (const key of old) {
        const [seenAt, dedupKey] = key;
        this.#seen.removeSync(key);
        // Only the record this index entry describes (a key is recorded at most once, but be exact).
        if (this.#dedup.get(dedupKey) === seenAt) this.#dedup.removeSync(dedupKey);
      }
      return old.length;
    });
  }

  /** How many dedup records are kept now (LMDB's own count: no scan). */
  dedupRecords(): number {
    return this.#open ? entryCount(this.#dedup) : 0;
  }

  /** How many offers exist (LMDB's own count: no scan). */
  offerCount(): number {
    return this.#open ? entryCount(this.#offers) : 0;
  }

  /** Waits for pending transactions to commit and flush, then closes. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#root.committed;
    await this.#root.flushed;
    await this.#root.close();
  }
}

function entryCount(db: { getStats(): object }): number {
  const stats = db.getStats() as { entryCount?: unknown };
  return typeof stats.entryCount === 'number' ? stats.entryCount : 0;
}
