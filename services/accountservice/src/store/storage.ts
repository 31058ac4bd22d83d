import type { Logger } from '@goblog/messaging';
import type { Account, AccountRepository } from '../domain/account.js';
import type { NotificationOutbox } from '../domain/notification.js';
import { AccountStore } from './account-store.js';
import type { OpenStoreOptions } from './account-store.js';
import type { CommitWaits, OutboxReader } from './outbox-store.js';
import type { OpenPgStoreOptions } from './pg/account-database.js';

/**
 * What the accountservice keeps, in whichever store: LMDB under data_dir (one host), or the shared
 * PostgreSQL database of database_url (several hosts).
 */
export interface AccountStorage {
  readonly accounts: AccountRepository & { seed(accounts: readonly Account[]): Promise<number> };
  readonly outbox: NotificationOutbox & OutboxReader & CommitWaits;
  /** Where it is, safe to log: the LMDB path, or the database URL masked. */
  readonly location: string;
  readonly isOpen: boolean;
  /** The `database` check of /health, for a store in a database. */
  database?(): { readonly ok: boolean; readonly detail?: unknown };
  /** Waits for pending writes, then closes. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenStorageOptions {
  readonly dataDir: string;
  /** database_url: when set (not empty), the store is the shared database. */
  readonly databaseUrl?: string | undefined;
  readonly durability?: OpenStoreOptions['durability'];
  readonly logger: Logger;
  readonly postgres?: Omit<OpenPgStoreOptions, 'url' | 'logger'>;
}

/**
 * Opens the store that the configuration selects. Throws StoreOpenFailedError. The PostgreSQL store (its
 * driver and migrations) is loaded only when database_url selects it: an instance on LMDB never holds it.
 */
export async function openAccountStorage(options: OpenStorageOptions): Promise<AccountStorage> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const { PgAccountStore } = await import('./pg/account-database.js');
    return PgAccountStore.open({ url: options.databaseUrl, logger: options.logger, ...options.postgres });
  }
  return AccountStore.open({
    dataDir: options.dataDir,
    ...(options.durability === undefined ? {} : { durability: options.durability }),
  });
}
