import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from '@goblog/messaging';
import { silentLogger } from '@goblog/messaging';
import { DatabaseError, isUnavailable, toDatabaseError } from './errors.js';
import type { DatabaseUrl } from './url.js';

export interface MigrateOptions {
  readonly url: DatabaseUrl;
  /** The PostgreSQL schema the service's tables live in (created when missing); its migrations table too. */
  readonly schema: string;
  /** The folder of the service's `.sql` migrations (absolute), applied in name order. */
  readonly dir: string;
  readonly logger?: Logger;
}

/**
 * Brings the service's schema up to date with node-pg-migrate, on a connection of its own. Safe when several
 * instances start at once: node-pg-migrate takes a session advisory lock (`pg_advisory_lock`, waiting for it
 * rather than failing) before it reads what has run, so the first instance applies the migrations, in one
 * transaction, and the others find them done. Resolves with the names of the migrations it applied; rejects
 * with DatabaseError UNAVAILABLE (server away) or MIGRATION_FAILED, the URL's secrets never in the message.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const log = options.logger ?? silentLogger;
  const client = new pg.Client({ connectionString: options.url.url, connectionTimeoutMillis: 5000 });
  // A server that goes away mid-migration: the pending query rejects; the event must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const applied = await runner({
      dbClient: client,
      dir: options.dir,
      schema: options.schema,
      createSchema: true,
      migrationsTable: 'migrations',
      direction: 'up',
      advisoryLockMode: 'wait',
      singleTransaction: true,
      checkOrder: true,
      log: (message: string) => {
        log.debug({ schema: options.schema }, message);
      },
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) log.info({ schema: options.schema, applied: names }, 'database schema migrated');
    return names;
  } catch (err) {
    const mapped = toDatabaseError(err, options.url.secrets);
    if (isUnavailable(err)) throw mapped;
    throw new DatabaseError(
      'MIGRATION_FAILED',
      `cannot migrate schema ${options.schema} of ${options.url.masked}: ${mapped.message}`,
      mapped.reason,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
