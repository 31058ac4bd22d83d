// Migrations at startup against the machine's PostgreSQL, in databases of the test's own: several
// instances migrating at once, a failing migration, and openMigrated's close on failure.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, queryRows } from '@goblog/testkit';
import type { TestDatabase } from '@goblog/testkit';
import { isDatabaseError, migrate, openMigrated, parseDatabaseUrl } from '../src/index.js';

let dir: string;

/** A migrations folder with `files` (name -> SQL). */
async function migrations(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder);
  for (const [file, sql] of Object.entries(files)) await writeFile(join(folder, file), sql);
  return folder;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'goblog-pg17-migrations-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('pg17_migrate');
  });
  after(async () => {
    await database.drop();
  });

  it('applies each migration once when several instances migrate at once', async () => {
    // The first migration holds its transaction a while, so the others start while it runs; a second run of
    // it would fail (CREATE TABLE without IF NOT EXISTS, a duplicate key in `runs`).
    const folder = await migrations('concurrent', {
      '001_items.sql': `CREATE TABLE items (id int PRIMARY KEY);
        CREATE TABLE runs (one int PRIMARY KEY); INSERT INTO runs VALUES (1); SELECT pg_sleep(0.5);`,
      '002_more.sql': 'ALTER TABLE items ADD COLUMN name text;',
    });
    const url = parseDatabaseUrl(database.url);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => migrate({ url, schema: 'concurrent', dir: folder })),
    );
    const applied = results.filter((names) => names.length > 0);
    assert.deepEqual(applied, [['001_items', '002_more']]);
    assert.deepEqual(await queryRows(database.url, 'SELECT name FROM concurrent.migrations ORDER BY id'), [
      { name: '001_items' },
      { name: '002_more' },
    ]);
    assert.deepEqual(await queryRows(database.url, 'SELECT one FROM concurrent.runs'), [{ one: 1 }]);
    assert.deepEqual(await migrate({ url, schema: 'concurrent', dir: folder }), []);
  });

  it('rejects a failing migration with MIGRATION_FAILED, the URL masked, and applies none of it', async () => {
    const folder = await migrations('failing', {
      '001_ok.sql': 'CREATE TABLE good (id int);',
      '002_bad.sql': 'CREATE TABLE bad (id nosuchtype);',
    });
    const secretUrl = new URL(database.url);
    secretUrl.password = 's3cret';
    await assert.rejects(
      migrate({ url: parseDatabaseUrl(secretUrl.toString()), schema: 'failing', dir: folder }),
      (err: unknown) =>
        isDatabaseError(err, 'MIGRATION_FAILED') &&
        err.message.includes(':***@') &&
        !err.message.includes('s3cret'),
    );
    // One transaction for the whole run: the good one is not there either.
    assert.deepEqual(await queryRows(database.url, `SELECT to_regclass('failing.good') IS NULL AS missing`), [
      { missing: true },
    ]);
  });

  it('rejects UNAVAILABLE when the server is not there', async () => {
    const folder = await migrations('unreachable', { '001_ok.sql': 'SELECT 1;' });
    await assert.rejects(
      migrate({ url: parseDatabaseUrl('postgres://127.0.0.1:1/goblog'), schema: 'x', dir: folder }),
      (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'),
    );
  });
});

describe('openMigrated', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('pg17_open');
  });
  after(async () => {
    await database.drop();
  });

  const connectionsOf = async (applicationName: string): Promise<number> => {
    const [row] = await queryRows<{ n: number }>(
      database.url,
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return row?.n ?? -1;
  };

  it('migrates, then resolves with what init made on the open Database', async () => {
    const folder = await migrations('open', {
      '001_t.sql': 'CREATE TABLE t (id int); INSERT INTO t VALUES (7);',
    });
    const db = await openMigrated(
      { url: database.url, applicationName: 'pg17-open' },
      { schema: 'open', dir: folder },
      (opened) => opened,
    );
    try {
      assert.deepEqual((await db.query('SELECT id FROM open.t')).rows, [{ id: 7 }]);
    } finally {
      await db.close();
    }
  });

  it("closes the Database (no connection left) when init fails, and rejects with init's error", async () => {
    const folder = await migrations('init-fails', { '001_t.sql': 'CREATE TABLE t (id int);' });
    let opened: { query: (text: string) => Promise<unknown> } | undefined;
    await assert.rejects(
      openMigrated(
        { url: database.url, applicationName: 'pg17-init-fails' },
        { schema: 'init_fails', dir: folder },
        async (db) => {
          opened = db;
          await db.query('SELECT 1');
          throw new Error('init failed');
        },
      ),
      /init failed/,
    );
    await assert.rejects(
      opened?.query('SELECT 1') ?? Promise.reject(new Error('init not run')),
      (err: unknown) => isDatabaseError(err, 'CLOSED'),
    );
    assert.equal(await connectionsOf('pg17-init-fails'), 0);
  });

  it('rejects INVALID_URL for a URL that is not postgres://, without echoing it', async () => {
    await assert.rejects(
      openMigrated({ url: 'goblog:s3cret@db', applicationName: 'x' }, { schema: 'x', dir }, () => 1),
      (err: unknown) => isDatabaseError(err, 'INVALID_URL') && !err.message.includes('s3cret'),
    );
  });
});
