import { fileURLToPath } from 'node:url';
import type { Logger } from '@goblog/messaging';
import { describeDatabaseUrl, isDatabaseError, openMigrated, serviceErrors } from '@goblog/postgres';
import type { AvailabilityReport, Database, Queryable } from '@goblog/postgres';
import type { Offer, RecordOutcome } from '../../domain/offer.js';
import { DatabaseUnavailableError, StoreClosedError, StoreOpenFailedError } from '../../errors.js';
import { steadyClock } from '../steady-clock.js';
import type { OfferStorage } from '../storage.js';

/** The vipservice's migrations (services/vipservice/migrations), from src/ and from dist/ alike. */
const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));

/**
 * A database failure as the vipservice answers it: the database away is DATABASE_UNAVAILABLE (503, its
 * message already free of secrets), a closed handle STORE_CLOSED (503); anything else stays what it is (500).
 */
const { asServiceError, mapped } = serviceErrors({
  unavailable: (message) => new DatabaseUnavailableError(message),
  closed: () => new StoreClosedError(),
});

export interface OpenPgOfferStoreOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** When a dedup record is made (ms since epoch); default a steady clock, as in the embedded store. */
  readonly clock?: () => number;
}

interface OfferRow {
  readonly offer_id: string;
  readonly created_at: string;
  readonly notifications: number;
  readonly last_read_at: string;
}

/**
 * The vipservice's store in a shared PostgreSQL database (schema `vipservice`): the offers and the inbox
 * (the dedup key of every notification counted) of every instance, wherever it runs.
 *
 * `applyOnce` is one transaction: the inbox INSERT (ON CONFLICT DO NOTHING on its primary key), then the
 * offer locked (SELECT ... FOR UPDATE), changed and written. Two instances handling one notification at
 * once: the second's INSERT waits for the first's transaction and then finds the key, so it is counted once.
 * Two notifications of one account: the row lock orders them, neither count is lost. While the database is
 * away, `applyOnce` waits for it (the message stays unacknowledged, its retries untouched) and resolves once
 * the transaction is committed, so the message is acknowledged after the commit; a commit whose answer was
 * lost is found in the inbox on the next try ('duplicate').
 */
export class PgOfferStore implements OfferStorage {
  readonly location: string;
  readonly #db: Database;
  readonly #log: Logger;
  readonly #clock: () => number;
  #open = true;
  #wakeWaiters = new Set<() => void>();

  private constructor(db: Database, options: OpenPgOfferStoreOptions) {
    this.#db = db;
    this.#log = options.logger;
    this.location = db.url.masked;
    this.#clock = options.clock ?? steadyClock();
    db.onAvailabilityChange((up) => {
      if (up) this.#wakeAll();
    });
  }

  /** Connects and migrates. Throws StoreOpenFailedError (the URL masked) when it cannot. */
  static async open(options: OpenPgOfferStoreOptions): Promise<PgOfferStore> {
    try {
      return await openMigrated(
        {
          url: options.url,
          applicationName: 'vipservice',
          logger: options.logger,
          ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
        },
        { schema: 'vipservice', dir: MIGRATIONS },
        (db) => new PgOfferStore(db, options),
      );
    } catch (cause) {
      throw new StoreOpenFailedError(describeDatabaseUrl(options.url), cause);
    }
  }

  get isOpen(): boolean {
    return this.#open;
  }

  database(): AvailabilityReport {
    return this.#db.report();
  }

  async get(accountId: string): Promise<Offer | undefined> {
    if (!this.#open) throw new StoreClosedError();
    const { rows } = await mapped(
      this.#db.query<OfferRow>(
        'SELECT offer_id, created_at, notifications, last_read_at FROM vipservice.offers WHERE account_id = $1',
        [accountId],
        'offer-by-account',
      ),
    );
    const row = rows[0];
    return row === undefined ? undefined : toOffer(accountId, row);
  }

  async applyOnce(
    dedupKey: string,
    accountId: string,
    change: (current: Offer | undefined) => Offer,
  ): Promise<RecordOutcome> {
    for (let attempt = 1; ; attempt++) {
      if (!this.#open) throw new StoreClosedError();
      try {
        return await this.#db.transaction((tx) =>
          applyIn(tx, dedupKey, accountId, change, Math.floor(this.#clock())),
        );
      } catch (err) {
        if (!isDatabaseError(err, 'UNAVAILABLE')) throw asServiceError(err);
        if (attempt === 1) {
          this.#log.warn(
            { accountId },
            'database away: the notification waits (unacknowledged) until it is back',
          );
        }
      }
      await this.#waitForDatabase(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
    }
  }

  async pruneDedup(cutoffMs: number, limit: number): Promise<number> {
    if (!this.#open) return 0;
    const { rowCount } = await mapped(
      this.#db.query(
        `DELETE FROM vipservice.inbox WHERE dedup_key IN (
           SELECT dedup_key FROM vipservice.inbox WHERE seen_at < $1::float8 ORDER BY seen_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [cutoffMs, limit],
      ),
    );
    return rowCount ?? 0;
  }

  async dedupRecords(): Promise<number> {
    return this.#count('vipservice.inbox');
  }

  async offerCount(): Promise<number> {
    return this.#count('vipservice.offers');
  }

  /** Ends waits for the database (their messages go back to the broker) and closes the pool. Safe twice. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#wakeAll();
    await this.#db.close();
  }

  async #count(table: string): Promise<number> {
    if (!this.#open) return 0;
    const { rows } = await mapped(this.#db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`));
    return rows[0]?.n ?? 0;
  }

  /** Resolves when the database is back, the store closes, or after `ms` (to try again regardless). */
  #waitForDatabase(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakeWaiters.add(done);
    });
  }

  #wakeAll(): void {
    const waiters = this.#wakeWaiters;
    this.#wakeWaiters = new Set();
    for (const wake of waiters) wake();
  }
}

async function applyIn(
  tx: Queryable,
  dedupKey: string,
  accountId: string,
  change: (current: Offer | undefined) => Offer,
  seenAt: number,
): Promise<RecordOutcome> {
  const inbox = await tx.query(
    'INSERT INTO vipservice.inbox (dedup_key, seen_at) VALUES ($1, $2) ON CONFLICT (dedup_key) DO NOTHING',
    [dedupKey, seenAt],
    'inbox-insert',
  );
  if (inbox.rowCount === 0) return 'duplicate';
  // Read committed: after an insert lost to another instance's, the next lock sees its row.
  for (;;) {
    const { rows } = await tx.query<OfferRow>(
      'SELECT offer_id, created_at, notifications, last_read_at FROM vipservice.offers WHERE account_id = $1 FOR UPDATE',
      [accountId],
      'offer-lock',
    );
    const row = rows[0];
    const next = change(row === undefined ? undefined : toOffer(accountId, row));
    if (row !== undefined) {
      await tx.query(
        'UPDATE vipservice.offers SET notifications = $2, last_read_at = $3 WHERE account_id = $1',
        [accountId, next.notifications, next.lastReadAt],
        'offer-update',
      );
      return 'recorded';
    }
    const created = await tx.query(
      `INSERT INTO vipservice.offers (account_id, offer_id, created_at, notifications, last_read_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO NOTHING`,
      [accountId, next.offerId, next.createdAt, next.notifications, next.lastReadAt],
      'offer-create',
    );
    if (created.rowCount === 1) return 'recorded';
  }
}

function toOffer(accountId: string, row: OfferRow): Offer {
  return {
    accountId,
    offerId: row.offer_id,
    createdAt: row.created_at,
    notifications: row.notifications,
    lastReadAt: row.last_read_at,
  };
}
