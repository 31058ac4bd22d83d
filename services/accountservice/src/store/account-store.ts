import { join } from 'node:path';
import { open } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { StoreOpenFailedError } from '../errors.js';
import { LmdbAccountRepository } from './account-repository.js';
import { LmdbOutbox } from './outbox-store.js';

export interface OpenStoreOptions {
  /** The service's data_dir; the store lives in `${dataDir}/accountservice`. */
  readonly dataDir: string;
  /**
   * What "recorded" means for an outbox entry before its 200 is sent:
   * - 'commit' (default): the LMDB transaction is committed: its pages are flushed to disk and its meta page
   *   is written but not flushed (LMDB's MDB_NOMETASYNC). The entry survives kill -9 of the process; a power
   *   loss or kernel crash may undo the last committed transaction, never the store's integrity (LMDB's
   *   documented guarantee). One disk flush per commit instead of two, which VIP reads feel directly.
   * - 'flush': the commit's meta page is flushed too before the record resolves (lmdb-js's overlappingSync,
   *   then its `flushed`), which survives a power loss as well, at the cost of a second flush of latency.
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
  /** Where it is (AccountStorage): its path. */
  readonly location: string;
  readonly #root: RootDatabase;
  #open = true;

  private constructor(path: string, root: RootDatabase, durability: 'commit' | 'flush') {
    this.path = path;
    this.location = path;
    this.#root = root;
    const isOpen = (): boolean => this.#open;
    // The accounts are read on every request and written only when seeding: lmdb-js's object cache
    // hands back the decoded account without a msgpack decode per read (writes keep it coherent).
    this.accounts = new LmdbAccountRepository(root.openDB({ name: 'accounts', cache: true }), isOpen);
    // JSON rather than msgpack: an entry is written once and read once, and JSON is the cheaper of the two
    // for these small objects (put + read + delete).
    this.outbox = new LmdbOutbox(
      root.openDB({ name: 'outbox', encoding: 'json' }),
      isOpen,
      durability === 'flush' ? root : undefined,
    );
  }

  /** Opens (creating when missing) the environment. Throws StoreOpenFailedError. */
  static open(options: OpenStoreOptions): AccountStore {
    const path = join(options.dataDir, 'accountservice');
    const durability = options.durability ?? 'commit';
    let root: RootDatabase;
    try {
      // Never noSync or useWritemap: either can corrupt the store on a power loss.
      root = open({
        path,
        maxDbs: 4,
        ...(durability === 'commit' ? { overlappingSync: false, noMetaSync: true } : {}),
      });
    } catch (cause) {
      throw new StoreOpenFailedError(path, cause);
    }
    return new AccountStore(path, root, durability);
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
