import type { Logger } from '@goblog/messaging';
import type { OfferRepository } from '../domain/offer.js';
import { OfferStore } from './offer-store.js';
import type { OpenPgOfferStoreOptions } from './pg/offer-database.js';

/**
 * What the vipservice keeps, in whichever store: LMDB under data_dir (the instances of one host), or the
 * shared PostgreSQL database of database_url (several hosts).
 */
export interface OfferStorage extends OfferRepository {
  /** Forgets up to `limit` dedup records made before `cutoffMs`, oldest first; resolves with how many. */
  pruneDedup(cutoffMs: number, limit: number): Promise<number>;
  dedupRecords(): number | Promise<number>;
  offerCount(): number | Promise<number>;
  /** Where it is, safe to log: the LMDB path, or the database URL masked. */
  readonly location: string;
  readonly isOpen: boolean;
  /** The `database` check of /health, for a store in a database. */
  database?(): { readonly ok: boolean; readonly detail?: unknown };
  close(): Promise<void>;
}

export interface OpenOfferStorageOptions {
  readonly dataDir: string;
  /** database_url: when set (not empty), the store is the shared database. */
  readonly databaseUrl?: string | undefined;
  readonly logger: Logger;
  readonly postgres?: Omit<OpenPgOfferStoreOptions, 'url' | 'logger'>;
}

/**
 * Opens the store that the configuration selects. Throws StoreOpenFailedError. The PostgreSQL store (its
 * driver and migrations) is loaded only when database_url selects it: an instance on LMDB never holds it.
 */
export async function openOfferStorage(options: OpenOfferStorageOptions): Promise<OfferStorage> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
    const { PgOfferStore } = await import('./pg/offer-database.js');
    return PgOfferStore.open({ url: options.databaseUrl, logger: options.logger, ...options.postgres });
  }
  return OfferStore.open({ dataDir: options.dataDir });
}
