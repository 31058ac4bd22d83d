import type { Database } from '@goblog/postgres';
import type { Account, AccountRepository } from '../../domain/account.js';
import { mapped } from './service-errors.js';

/** Accounts cached at most; beyond, the cache starts over (the seed is 100). */
const CACHE_LIMIT = 10_000;

/**
 * Accounts in the shared database (`accountservice.accounts`), every instance serving the same ones.
 * Accounts read are cached in memory, and a change is seen at once: a trigger announces every change of an
 * account on channel goblog_accounts and each instance forgets that account; while this instance's listener
 * is not connected (it could miss an announcement) nothing is served from the cache and every read asks the
 * database. An unknown id is never cached.
 */
export class PgAccountRepository implements AccountRepository {
  readonly #db: Database;
  readonly #cache = new Map<string, Account>();
  #caching = false;
  /** Bumped on every eviction: a read that started before one does not fill the cache. */
  #generation = 0;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Listens for account changes (the cache is used only while it does). */
  start(): void {
    this.#unlisten ??= this.#db.listen(
      'goblog_accounts',
      (id) => {
        this.#generation++;
        this.#cache.delete(id);
      },
      () => {
        this.#forget();
        this.#caching = true;
      },
      () => {
        this.#caching = false;
        this.#forget();
      },
    );
  }

  async stop(): Promise<void> {
    this.#caching = false;
    await this.#unlisten?.();
  }

  get(id: string): Account | Promise<Account | undefined> {
    const cached = this.#caching ? this.#cache.get(id) : undefined;
    return cached ?? this.#read(id);
  }

  /**
   * Inserts the accounts that are not there yet, in one statement: whichever instance starts first adds
   * them, the others (and every restart) add nothing, and an account changed since is never overwritten.
   * Resolves with how many this call added.
   */
  async seed(accounts: readonly Account[]): Promise<number> {
    const { rowCount } = await mapped(
      this.#db.query(
        `INSERT INTO accountservice.accounts (id, name)
         SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING`,
        [accounts.map((a) => a.id), accounts.map((a) => a.name)],
      ),
    );
    return rowCount ?? 0;
  }

  async #read(id: string): Promise<Account | undefined> {
    const generation = this.#generation;
    const { rows } = await mapped(
      this.#db.query<{ name: string }>(
        'SELECT name FROM accountservice.accounts WHERE id = $1',
        [id],
        'account-by-id',
      ),
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const account = { id, name: row.name };
    if (this.#caching && generation === this.#generation) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(id, account);
    }
    return account;
  }

  #forget(): void {
    this.#generation++;
    this.#cache.clear();
  }
}
