import type { Database } from 'lmdb';
import type { Account, AccountRepository } from '../domain/account.js';
import { StoreClosedError } from '../errors.js';

/** Accounts keyed by id in LMDB. Reads are synchronous memory-mapped lookups. */
export class LmdbAccountRepository implements AccountRepository {
  readonly #db: Database<Account, string>;
  readonly #isOpen: () => boolean;

  constructor(db: Database<Account, string>, isOpen: () => boolean) {
    this.#db = db;
    this.#isOpen = isOpen;
  }

  get(id: string): Account | undefined {
    if (!this.#isOpen()) throw new StoreClosedError();
    return this.#db.get(id);
  }

  /**
   * Inserts the accounts that are not there yet, in one transaction. Idempotent: a restart finds them and
   * inserts nothing, and an account changed since is never overwritten. Resolves with how many were added.
   */
  async seed(accounts: readonly Account[]): Promise<number> {
    if (!this.#isOpen()) throw new StoreClosedError();
    return this.#db.transaction(() => {
      let added = 0;
      for (const account of accounts) {
        if (this.#db.doesExist(account.id)) continue;
        this.#db.putSync(account.id, { id: account.id, name: account.name });
        added++;
      }
      return added;
    });
  }

  count(): number {
    return this.#db.getKeysCount();
  }
}
