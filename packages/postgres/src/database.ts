import pg from 'pg';
import type { Logger } from '@goblog/messaging';
import { silentLogger } from '@goblog/messaging';
import { Availability } from './availability.js';
import type { AvailabilityReport } from './availability.js';
import { DatabaseError, isUnavailable, toDatabaseError } from './errors.js';
import { parseDatabaseUrl } from './url.js';
import type { DatabaseUrl } from './url.js';
import { Listener } from './listener.js';
import { boundedClient, checkout } from './checkout.js';
import { Slots } from './slots.js';

export interface DatabaseOptions {
  /** `database_url`: postgres://user:password@host:port/database. */
  readonly url: string;
  /** Shown as the connections' application_name (pg_stat_activity). */
  readonly applicationName: string;
  readonly logger?: Logger;
  /**
   * Connections in the pool. Default 10. Transactions use all but one of them (of two or more): a backlog
   * of transactions never takes the connection the bounded calls (statements, `hold`, the probe) need.
   */
  readonly poolSize?: number;
  /**
   * How long connecting may take before it fails UNAVAILABLE, and how long a statement or `hold` waits for a
   * connection of the pool (a `transaction` waits its turn however long). Default 2 s.
   */
  readonly connectTimeoutMs?: number;
  /** How long a statement may take before it fails UNAVAILABLE (its connection is then dropped). Default 10 s. */
  readonly queryTimeoutMs?: number;
  /** Between availability probes (`SELECT 1`). Default 1 s. */
  readonly probeMs?: number;
}

/** A statement runner: the pool, or the client of a transaction. */
export interface Queryable {
  /** `name` makes it a prepared statement (parsed once per connection): for the statements of every request. */
  query<R extends pg.QueryResultRow>(
    text: string,
    values?: readonly unknown[],
    name?: string,
  ): Promise<pg.QueryResult<R>>;
}

/** A connection held across calls (an outbox claim): release it when done; `broken` once it failed. */
export interface HeldClient extends Queryable {
  readonly broken: boolean;
  release(): void;
}

/**
 * One PostgreSQL database as a service uses it: a bounded pool, every failure a DatabaseError (UNAVAILABLE
 * when the server is away, the URL's secrets never in a message), the server's availability for /health
 * (`report`, probed every `probeMs`, DOWN -> UP heard by `onAvailabilityChange`), LISTEN channels that
 * reconnect by themselves. No call hangs: connecting and each statement are bounded. A connection that dies
 * while idle, checked out or not, never becomes an unhandled 'error' event.
 */
export class Database implements Queryable {
  readonly url: DatabaseUrl;
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #availability: Availability;
  readonly #probe: NodeJS.Timeout;
  readonly #listeners = new Set<Listener>();
  readonly #checkoutMs: number;
  readonly #poolSize: number;
  /** Transactions at once: fewer than the pool's connections, so that a statement finds one free. */
  readonly #transactions: Slots;
  #closed = false;

  constructor(options: DatabaseOptions) {
    this.url = parseDatabaseUrl(options.url);
    this.#log = options.logger ?? silentLogger;
    this.#availability = new Availability(this.url.masked);
    this.#availability.onChange((up) => {
      if (up) this.#log.info({ database: this.url.masked }, 'database available again');
    });
    const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.#checkoutMs = connectTimeoutMs;
    this.#poolSize = options.poolSize ?? 10;
    this.#transactions = new Slots(this.#poolSize - reservedConnections(this.#poolSize));
    this.#pool = new pg.Pool({
      connectionString: options.url,
      application_name: options.applicationName,
      max: this.#poolSize,
      // No connectionTimeoutMillis on the pool: it would bound the wait for a free connection too, and a
      // call queued behind busy connections would fail as if the server were away. Connecting is bounded
      // by the connections themselves; waiting for one by #checkout, for the calls that must not queue.
      Client: boundedClient(connectTimeoutMs),
      query_timeout: options.queryTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    });
    // An idle connection the server closed (restart, admin shutdown): the pool drops it; say so, never crash.
    this.#pool.on('error', (err) => {
      this.#failed(err);
    });
    const probeMs = options.probeMs ?? 1000;
    this.#probe = setInterval(() => {
      this.query('SELECT 1').catch(() => undefined);
    }, probeMs);
    this.#probe.unref();
  }

  get available(): boolean {
    return this.#availability.up;
  }

  /** The database check of /health: ok while the server answers, with the masked URL and the last error. */
  report(): AvailabilityReport {
    return this.#availability.report();
  }

  onAvailabilityChange(listener: (up: boolean) => void): () => void {
    return this.#availability.onChange(listener);
  }

  /** One statement on a connection of the pool, waiting at most `connectTimeoutMs` for one. */
  async query<R extends pg.QueryResultRow>(
    text: string,
    values?: readonly unknown[],
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    const client = await this.hold();
    try {
      return await client.query<R>(text, values, name);
    } finally {
      client.release();
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves (the call resolves after the
   * COMMIT), rolled back when it throws. Rejects with a DatabaseError (or what `work` threw). It waits its
   * turn for a connection without a deadline: a pool busy with other transactions is not a failure (its
   * callers would only retry), while connecting and each statement stay bounded. The turns are taken in
   * order, on all but the pool's reserved connections, so that statements and held connections never wait
   * behind a queue of transactions (a consumer's backlog does not make reads fail).
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.#transactions.acquire();
    let client: HeldClient;
    try {
      client = await this.#held(undefined);
    } catch (err) {
      this.#transactions.release();
      throw err;
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!client.broken) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
      this.#transactions.release();
    }
  }

  /**
   * A connection of the pool held until `release` (a broken one is dropped, not returned to the pool),
   * waiting at most `connectTimeoutMs` for one.
   */
  hold(): Promise<HeldClient> {
    return this.#held(this.#checkoutMs);
  }

  async #held(waitMs: number | undefined): Promise<HeldClient> {
    if (this.#closed) throw new DatabaseError('CLOSED', 'the database handle is closed');
    const client = await checkout(this.#pool, waitMs, this.#poolSize, (err) => this.#failed(err));
    let broken = false;
    let released = false;
    // While checked out the pool listens no more: without this a server shutdown would be an uncaught error.
    const onError = (err: Error): void => {
      broken = true;
      this.#failed(err);
    };
    client.on('error', onError);
    return {
      get broken() {
        return broken;
      },
      query: async <R extends pg.QueryResultRow>(
        text: string,
        values?: readonly unknown[],
        name?: string,
      ) => {
        try {
          const result = await client.query<R>(statement(text, values, name));
          this.#availability.succeeded();
          return result;
        } catch (err) {
          if (isUnavailable(err)) broken = true;
          throw this.#failed(err);
        }
      },
      release: () => {
        if (released) return;
        released = true;
        client.off('error', onError);
        client.release(broken ? new Error('connection failed') : undefined);
      },
    };
  }

  /**
   * Listens on `channel` on a connection of its own, re-established (with a backoff) whenever it is lost;
   * `onConnected` runs after each (re)connection (something may have been missed meanwhile), and
   * `onDisconnected` when a listening connection is lost.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onConnected: () => void,
    onDisconnected?: () => void,
  ): () => Promise<void> {
    const listener = new Listener({
      url: this.url,
      channel,
      onNotify,
      onConnected,
      ...(onDisconnected === undefined ? {} : { onDisconnected }),
      onError: (err) => this.#failed(err),
      logger: this.#log,
    });
    this.#listeners.add(listener);
    listener.start();
    return () => {
      this.#listeners.delete(listener);
      return listener.close();
    };
  }

  /** Ends the listeners and the pool (waiting for held connections to be released). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#probe);
    await Promise.all([...this.#listeners].map((listener) => listener.close()));
    await this.#pool.end().catch(() => undefined);
  }

  /** Maps a failure, and records it for health when it says the server is away. */
  #failed(err: unknown): DatabaseError {
    const mapped = toDatabaseError(err, this.url.secrets);
    if (mapped.code === 'UNAVAILABLE') {
      if (this.#availability.up)
        this.#log.warn({ database: this.url.masked, err: mapped.message }, 'database unavailable');
      this.#availability.failed(mapped.message);
    }
    return mapped;
  }
}

/** The connections kept from transactions for the bounded calls: one, of a pool of two or more. */
export function reservedConnections(poolSize: number): number {
  return poolSize < 2 ? 0 : 1;
}

/** What node-postgres is given: the text alone for a plain statement (BEGIN, COMMIT), which it copies less. */
function statement(
  text: string,
  values: readonly unknown[] | undefined,
  name: string | undefined,
): pg.QueryConfig | string {
  if (values === undefined && name === undefined) return text;
  return {
    text,
    ...(values === undefined ? {} : { values: values as unknown[] }),
    ...(name === undefined ? {} : { name }),
  };
}
