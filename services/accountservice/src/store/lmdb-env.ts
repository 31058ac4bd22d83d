import { join } from 'node:path';
import { open } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { AccountServiceError } from '../errors.js';
import { LmdbAccountRepository } from './account-store.js';
import { LmdbOutbox } from './outbox-store.js';

export interface OpenStoreOptions {
  /** The service's data_dir; the store lives in `${dataDir}/accountservice`. */
  readonly dataDir: string;
  /**
   * What "recorded" means for an outbox entry before its 200 is sent:
   * - 'commit' (default): the LMDB transaction is committed. The pages are in the OS page cache and the
   *   meta page points at them, so the entry survives kill -9 of the process; lmdb-js's overlappingSync
   *   restores the latest committed transaction after a process crash (same boot id). A power loss or
   *   kernel crash may undo the last few milliseconds of commits (never corrupts the store).
   * - 'flush': additionally waits until the commit is fsync'ed, which survives a power loss too, at the
   *   cost of one disk flush of latency per batch of VIP reads.
   */
  readonly durability?: 'commit' | 'flush';
}

/**
 * The accountservice's embedded store: one LMDB environment holding the accounts and the notification
 * outbox, so that both live (and are recovered) together. Nothing to install.
 */
export class AccountStore {
  readonly accounts: LmdbAccountRepository;
  readonly outbox: LmdbOutbox;
  readonly path: string;
  readonly #root: RootDatabase;
  #open = true;

  private constructor(path: string, root: RootDatabase, durability: 'commit' | 'flush') {
    this.path = path;
    this.#root = root;
    const isOpen = (): boolean => this.#open;
    // The accounts are read on every request and written only when seeding: lmdb-js's object cache
    // hands back the decoded account without a msgpack decode per read (writes keep it coherent).
    this.accounts = new LmdbAccountRepository(root.openDB({ name: 'accounts', cache: true }), isOpen);
    // JSON rather than msgpack: an entry is written once and read once, and JSON is the cheaper of the two
    // for these small objects (measured ~5 µs less per entry for put + read + delete).
    this.outbox = new LmdbOutbox(
      root.openDB({ name: 'outbox', encoding: 'json' }),
      isOpen,
      durability === 'flush' ? root : undefined,
    );
  }

  /** Opens (creating when missing) the environment. Throws AccountServiceError('STORE_OPEN_FAILED'). */
  static open(options: OpenStoreOptions): AccountStore {
    const path = join(options.dataDir, 'accountservice');
    let root: RootDatabase;
    try {
      // Defaults are the safe ones (no noSync/noMetaSync/useWritemap); overlappingSync is lmdb-js's
      // default on Linux and keeps the fsync out of the writer lock.
      root = open({ path, maxDbs: 4 });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new AccountServiceError(
        'STORE_OPEN_FAILED',
        `cannot open the account store at ${path}: ${reason}`,
        {
          cause,
        },
      );
    }
    return new AccountStore(path, root, options.durability ?? 'commit');
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Waits for pending writes to commit, then closes. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#root.flushed;
    await this.#root.close();
  }
}
