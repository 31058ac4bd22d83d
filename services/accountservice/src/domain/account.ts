/** An account as the article's accountservice serves it (without `servedBy`, which belongs to the instance). */
export interface Account {
  readonly id: string;
  readonly name: string;
}

/**
 * Read access to accounts. The embedded store answers synchronously (memory-mapped, a few microseconds);
 * the shared database with a promise.
 */
export interface AccountRepository {
  /**
   * The account with this id, or undefined. Throws (or rejects with) StoreClosedError once the store is
   * closed, DatabaseUnavailableError while the shared database is away.
   */
  get(id: string): Account | undefined | Promise<Account | undefined>;
}

export const FIRST_ACCOUNT_ID = 10000;
export const SEED_ACCOUNT_COUNT = 100;

/** The article's seed data: ids 10000..10099 named Person_0..Person_99. */
export function seedAccounts(): Account[] {
  return Array.from({ length: SEED_ACCOUNT_COUNT }, (_, i) => ({
    id: String(FIRST_ACCOUNT_ID + i),
    name: `Person_${i}`,
  }));
}
