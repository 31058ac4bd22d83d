// Database against the machine's PostgreSQL, in a database of the test's own: statements, transactions,
// held connections, failures classified and masked, connections the server kills, close.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, queryRows } from '@goblog/testkit';
import type { TestDatabase } from '@goblog/testkit';
import { Database, isDatabaseError } from '../src/index.js';
import { reservedConnections } from '../src/database.js';

/** Ends the server side of this application's connections (as an admin shutdown of them would). */
async function terminate(url: string, applicationName: string, state?: 'idle'): Promise<number> {
  const rows = await queryRows<{ ok: boolean }>(
    url,
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
     WHERE application_name = $1 AND datname = current_database() AND ($2::text IS NULL OR state = $2)`,
    [applicationName, state ?? null],
  );
  return rows.length;
}

describe('Database', () => {
  let database: TestDatabase;
  let db: Database;

  before(async () => {
    database = await createTestDatabase('pg17_database');
    db = new Database({ url: database.url, applicationName: 'pg17-database-test', poolSize: 2 });
    await db.query('CREATE TABLE items (id int PRIMARY KEY)');
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  /** A pool of `poolSize` that gives up waiting for a connection soon. */
  const smallPool = (applicationName: string, poolSize: number): Database =>
    new Database({ url: database.url, applicationName, poolSize, connectTimeoutMs: 300 });

  it('runs statements, named (prepared) ones too, and reports UP with the masked URL', async () => {
    const { rows } = await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [41], 'add-one');
    assert.deepEqual(rows, [{ n: 42 }]);
    assert.deepEqual((await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [1], 'add-one')).rows, [
      { n: 2 },
    ]);
    assert.equal(db.available, true);
    assert.deepEqual(db.report(), { ok: true, detail: { url: database.url } });
  });

  it('fails a wrong statement with QUERY_FAILED and its SQLSTATE, staying UP', async () => {
    await assert.rejects(
      db.query('SELECT * FROM no_such_table'),
      (err: unknown) => isDatabaseError(err, 'QUERY_FAILED') && err.reason === '42P01',
    );
    assert.equal(db.available, true);
  });

  it('commits a transaction once its work resolves and rolls it back when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items VALUES (1)');
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES (2)');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await assert.rejects(
      db.transaction((tx) => tx.query('INSERT INTO items VALUES (1)')),
      (err: unknown) => isDatabaseError(err, 'QUERY_FAILED') && err.reason === '23505',
    );
    const { rows } = await db.query<{ id: number }>('SELECT id FROM items ORDER BY id');
    assert.deepEqual(rows, [{ id: 1 }]);
  });

  it('survives idle connections the server ends: no crash, the next statement reconnects', async () => {
    // Both connections of the pool made, then idle.
    await Promise.all([db.query('SELECT pg_sleep(0.05)'), db.query('SELECT pg_sleep(0.05)')]);
    assert.ok((await terminate(database.url, 'pg17-database-test', 'idle')) >= 1);
    const answered = async (): Promise<boolean> =>
      db.query('SELECT 1').then(
        () => true,
        (err: unknown) => {
          if (isDatabaseError(err, 'UNAVAILABLE')) return false;
          throw err;
        },
      );
    // A statement may still meet a connection whose end the pool has not read yet: it fails UNAVAILABLE and
    // that connection is dropped. Each of the pool's two connections can do that once, so by the third
    // statement at the latest one answers, on a new connection.
    const outcomes: boolean[] = [];
    for (let i = 0; i < 3 && outcomes.at(-1) !== true; i++) outcomes.push(await answered());
    assert.equal(outcomes.at(-1), true, `answers in turn: ${outcomes.join(', ')}`);
    assert.equal(db.available, true);
  });

  it('makes a statement that finds every connection busy fail UNAVAILABLE, the database staying UP', async () => {
    const busy = smallPool('pg17-busy-test', 1);
    const heard: boolean[] = [];
    busy.onAvailabilityChange((up) => heard.push(up));
    try {
      const held = await busy.hold();
      // A transaction waits its turn however long: queued first, it is still waiting after the two calls
      // below gave up (each after connectTimeoutMs), and runs once the connection is released.
      let ran = false;
      let settled = false;
      const queued = busy.transaction(async (tx) => {
        ran = true;
        return (await tx.query<{ n: number }>('SELECT 3 AS n')).rows[0]?.n;
      });
      queued.then(
        () => (settled = true),
        () => (settled = true),
      );
      await assert.rejects(busy.query('SELECT 1'), (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'));
      await assert.rejects(busy.hold(), (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'));
      assert.equal(busy.available, true);
      assert.deepEqual({ ran, settled }, { ran: false, settled: false });
      held.release();
      assert.equal(await queued, 3);
      // The calls that gave up left nothing behind: the one connection serves the next statement.
      assert.deepEqual((await busy.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
      assert.deepEqual(heard, []);
    } finally {
      await busy.close();
    }
  });

  it('keeps a connection for statements however many transactions wait: a backlog never fails a read', async () => {
    const busy = smallPool('pg17-backlog-test', 3);
    let releaseAll = (): void => undefined;
    const release = new Promise<void>((resolve) => (releaseAll = resolve));
    let running = (): void => undefined;
    const allRunning = new Promise<void>((resolve) => (running = resolve));
    let started = 0;
    // A consumer's backlog: far more transactions than connections, each holding its connection.
    const backlog = Array.from({ length: 12 }, () =>
      busy.transaction(async (tx) => {
        await tx.query('SELECT 1');
        if (++started === 3 - reservedConnections(3)) running();
        await release;
      }),
    );
    try {
      await allRunning;
      // A read arriving now finds the reserved connection, not the back of the transactions' queue.
      assert.deepEqual((await busy.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
      const held = await busy.hold();
      held.release();
      assert.equal(started, 3 - reservedConnections(3), 'the other transactions wait for a turn');
      releaseAll();
      await Promise.all(backlog);
      assert.equal(started, 12);
    } finally {
      releaseAll();
      await Promise.allSettled(backlog);
      await busy.close();
    }
  });

  it('marks a held connection the server ends as broken and does not give it back to the pool', async () => {
    const held = await db.hold();
    const [{ pid } = { pid: 0 }] = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await queryRows(database.url, 'SELECT pg_terminate_backend($1)', [pid]);
    await assert.rejects(held.query('SELECT 1'), (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'));
    assert.equal(held.broken, true);
    held.release();
    held.release();
    const pids = await Promise.all(
      [1, 2].map(async () => {
        const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return rows[0]?.pid;
      }),
    );
    assert.equal(pids.includes(pid), false);
  });
});

describe('Database without a server', () => {
  it('fails UNAVAILABLE within the connect timeout, DOWN in /health, the password nowhere', async () => {
    // Port 1: nothing listens, the connection is refused.
    const db = new Database({
      url: 'postgres://goblog:s3cret@127.0.0.1:1/goblog',
      applicationName: 'pg17-no-server',
      connectTimeoutMs: 500,
      probeMs: 60_000,
    });
    const heard: boolean[] = [];
    db.onAvailabilityChange((up) => heard.push(up));
    try {
      await assert.rejects(
        db.query('SELECT 1'),
        (err: unknown) => isDatabaseError(err, 'UNAVAILABLE') && !err.message.includes('s3cret'),
      );
      await assert.rejects(db.hold(), (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'));
      const report = db.report();
      assert.equal(report.ok, false);
      assert.equal(report.detail.url, 'postgres://goblog:***@127.0.0.1:1/goblog');
      assert.equal(typeof report.detail.error, 'string');
      assert.equal(JSON.stringify(report).includes('s3cret'), false);
      assert.deepEqual(heard, [false]);
    } finally {
      await db.close();
    }
  });

  it('gives up connecting to a server that never answers, UNAVAILABLE and DOWN, within the timeout', async () => {
    // Accepts the TCP connection and never says a word: a server behind a cut network path looks like this.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const db = new Database({
      url: `postgres://goblog:s3cret@127.0.0.1:${port}/goblog`,
      applicationName: 'pg17-silent',
      connectTimeoutMs: 300,
      probeMs: 60_000,
    });
    try {
      await assert.rejects(
        db.query('SELECT 1'),
        (err: unknown) => isDatabaseError(err, 'UNAVAILABLE') && !err.message.includes('s3cret'),
      );
      assert.equal(db.available, false);
      await assert.rejects(
        db.transaction(() => Promise.resolve()),
        (err: unknown) => isDatabaseError(err, 'UNAVAILABLE'),
      );
    } finally {
      await db.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses calls with CLOSED once closed, and closes twice', async () => {
    const db = new Database({ url: 'postgres://127.0.0.1:1/goblog', applicationName: 'pg17-closed' });
    await db.close();
    await db.close();
    await assert.rejects(db.query('SELECT 1'), (err: unknown) => isDatabaseError(err, 'CLOSED'));
    await assert.rejects(db.hold(), (err: unknown) => isDatabaseError(err, 'CLOSED'));
  });
});
