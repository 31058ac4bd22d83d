import { fileURLToPath } from 'node:url';
import type { Logger } from '@goblog/messaging';
import { describeDatabaseUrl, openMigrated } from '@goblog/postgres';
import type { AvailabilityReport, Database } from '@goblog/postgres';
import { StoreOpenFailedError } from '../../errors.js';
import type { AccountStorage } from '../storage.js';
import { PgAccountRepository } from './account-repository.js';
import { PgOutbox } from './outbox.js';
import type { PgOutboxOptions } from './outbox.js';

/** The accountservice's migrations (services/accountservice/migrations), from src/ and from dist/ alike. */
const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));

export interface OpenPgStoreOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  readonly outbox?: Omit<PgOutboxOptions, 'logger'>;
}

/**
 * The accountservice's store in a shared PostgreSQL database (schema `accountservice`): the accounts and
 * the outbox of every instance, wherever it runs. The schema is migrated at open (safe when several
 * instances start at once, see @goblog/postgres migrate).
 */
export class PgAccountStore implements AccountStorage {
  readonly accounts: PgAccountRepository;
  readonly outbox: PgOutbox;
  readonly location: string;
  readonly #db: Database;
  #open = true;

  private constructor(db: Database, outbox: PgOutbox) {
    this.#db = db;
    this.location = db.url.masked;
    this.accounts = new PgAccountRepository(db);
    this.accounts.start();
    this.outbox = outbox;
  }

  /** Connects, migrates, reads the outbox. Throws StoreOpenFailedError (the URL masked) when it cannot. */
  static async open(options: OpenPgStoreOptions): Promise<PgAccountStore> {
    try {
      return await openMigrated(
        {
          url: options.url,
          applicationName: 'accountservice',
          logger: options.logger,
          ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
        },
        { schema: 'accountservice', dir: MIGRATIONS },
        async (db) =>
          new PgAccountStore(db, await PgOutbox.open(db, { logger: options.logger, ...options.outbox })),
      );
    } catch (cause) {
      throw new StoreOpenFailedError(describeDatabaseUrl(options.url), cause);
    }
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** The `database` check of /health. */
  database(): AvailabilityReport {
    return this.#db.report();
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.accounts.stop();
    await this.outbox.close();
    await this.#db.close();
  }
}
