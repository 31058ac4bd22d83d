import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The machine's PostgreSQL as the tests reach it (trust auth for `postgres` on 127.0.0.1, as .ci/run makes
 * sure); POSTGRES_ADMIN_URL points elsewhere. Tests never use a database they did not create.
 */
export const POSTGRES_ADMIN_URL =
  process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends AsyncDisposable {
  readonly name: string;
  /** The admin URL with this database in its path. */
  readonly url: string;
  /** Drops it (closing whatever is still connected to it); safe to call twice. */
  drop(): Promise<void>;
}

/** The admin URL (or `baseUrl`) with `database` as its path. */
export function databaseUrl(database: string, baseUrl: string = POSTGRES_ADMIN_URL): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs one statement on the admin database of `baseUrl`, on a connection of its own. */
export async function adminQuery(sql: string, baseUrl: string = POSTGRES_ADMIN_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A new, empty database with a unique name (`goblog_<label>_<random>`), so that tests running at once never
 * share one. Drop it in `after` (or `await using`).
 */
export async function createTestDatabase(
  label: string,
  baseUrl: string = POSTGRES_ADMIN_URL,
): Promise<TestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .slice(0, 30);
  const name = `goblog_${safe}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`, baseUrl);
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, baseUrl);
  };
  return { name, url: databaseUrl(name, baseUrl), drop, [Symbol.asyncDispose]: drop };
}

/** Rows of `sql` on `url`, on a connection of its own (for assertions on what the services stored). */
export async function queryRows<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: readonly unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, values as unknown[])).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
