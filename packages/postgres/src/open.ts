import { Database } from './database.js';
import type { DatabaseOptions } from './database.js';
import { migrate } from './migrate.js';

/** Where a service's tables live and where its migrations are. */
export interface Migrations {
  /** The PostgreSQL schema of the service's tables (created when missing), and of its migrations table. */
  readonly schema: string;
  /** The folder of the service's `.sql` migrations (absolute), applied in name order. */
  readonly dir: string;
}

/**
 * A service's store opened on its database: the Database made, its schema migrated (safe when several
 * instances start at once, see `migrate`), then `init` run on it (reading what the store needs at start).
 * Resolves with what `init` returns; on any failure the Database is closed before the call rejects (with the
 * DatabaseError, INVALID_URL, UNAVAILABLE or MIGRATION_FAILED, or what `init` threw), so a failed open
 * leaves no pool, probe or listener behind.
 */
export async function openMigrated<T>(
  options: DatabaseOptions,
  migrations: Migrations,
  init: (db: Database) => T | Promise<T>,
): Promise<T> {
  const db = new Database(options);
  try {
    await migrate({
      url: db.url,
      schema: migrations.schema,
      dir: migrations.dir,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    return await init(db);
  } catch (err) {
    await db.close();
    throw err;
  }
}
