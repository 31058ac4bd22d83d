// LISTEN through Database.listen against the machine's PostgreSQL, in a database of the test's own: what is
// notified arrives, and a listening connection the server ends is re-established by itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, queryRows } from '@goblog/testkit';
import type { TestDatabase } from '@goblog/testkit';
import { Database } from '../src/index.js';

/** Resolves with the next value `subscribe` hands out; rejects after `ms`. */
function next<T>(subscribe: (deliver: (value: T) => void) => void, what: string, ms = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no ${what} within ${ms} ms`));
    }, ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Callbacks that hand their next call to whoever waits for it. */
function events() {
  let onNotify: ((payload: string) => void) | undefined;
  let onConnected: (() => void) | undefined;
  let onDisconnected: (() => void) | undefined;
  const counts = { connected: 0, disconnected: 0 };
  return {
    counts,
    notify: (payload: string) => onNotify?.(payload),
    connected: () => {
      counts.connected++;
      onConnected?.();
    },
    disconnected: () => {
      counts.disconnected++;
      onDisconnected?.();
    },
    nextNotify: () =>
      next<string>((d) => {
        onNotify = d;
      }, 'notification'),
    nextConnected: () =>
      next<true>((d) => {
        onConnected = () => {
          d(true);
        };
      }, 'connection'),
    nextDisconnected: () =>
      next<true>((d) => {
        onDisconnected = () => {
          d(true);
        };
      }, 'disconnection'),
  };
}

describe('Database.listen', () => {
  let database: TestDatabase;
  let db: Database;

  before(async () => {
    database = await createTestDatabase('pg17_listener');
    db = new Database({ url: database.url, applicationName: 'pg17-listener-test' });
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  const listeningPids = async (channel: string): Promise<number[]> =>
    (
      await queryRows<{ pid: number }>(
        database.url,
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`,
        [`LISTEN ${channel}`],
      )
    ).map((r) => r.pid);

  it('refuses a channel that is not a plain identifier', () => {
    assert.throws(
      () =>
        db.listen(
          'goblog; DROP TABLE x',
          () => undefined,
          () => undefined,
        ),
      TypeError,
    );
  });

  it('hears NOTIFY on its channel, reconnects after the server ended its connection, and hears again', async () => {
    const e = events();
    const connected = e.nextConnected();
    const stop = db.listen('pg17_test', e.notify, e.connected, e.disconnected);
    try {
      await connected;
      const first = e.nextNotify();
      await db.query('SELECT pg_notify($1, $2)', ['pg17_test', 'one']);
      assert.equal(await first, 'one');

      const [pid] = await listeningPids('pg17_test');
      assert.notEqual(pid, undefined);
      const disconnected = e.nextDisconnected();
      const reconnected = e.nextConnected();
      await queryRows(database.url, 'SELECT pg_terminate_backend($1)', [pid]);
      await disconnected;
      await reconnected;
      assert.deepEqual(e.counts, { connected: 2, disconnected: 1 });
      const [again] = await listeningPids('pg17_test');
      assert.notEqual(again, pid);

      const second = e.nextNotify();
      await db.query('SELECT pg_notify($1, $2)', ['pg17_test', 'two']);
      assert.equal(await second, 'two');
    } finally {
      await stop();
    }
    assert.deepEqual(await listeningPids('pg17_test'), []);
  });

  it('reports the database DOWN when it cannot connect, and closes while it retries', async () => {
    const unreachable = new Database({
      url: 'postgres://127.0.0.1:1/goblog',
      applicationName: 'pg17-listener-unreachable',
      probeMs: 60_000,
    });
    const e = events();
    const stop = unreachable.listen('pg17_test', e.notify, e.connected, e.disconnected);
    // Its first attempt fails: the database is reported DOWN (by the listener: nothing else ran).
    await next<boolean>((d) => unreachable.onAvailabilityChange(d), 'availability change');
    assert.equal(unreachable.available, false);
    await stop();
    await unreachable.close();
    assert.deepEqual(e.counts, { connected: 0, disconnected: 0 });
  });
});
