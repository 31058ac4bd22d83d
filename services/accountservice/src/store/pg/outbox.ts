import { randomUUID } from 'node:crypto';
import type { Logger } from '@goblog/messaging';
import type { Database, HeldClient } from '@goblog/postgres';
import { isDatabaseError } from '@goblog/postgres';
import type { NotificationOutbox, PendingNotification } from '../../domain/notification.js';
import { StoreClosedError } from '../../errors.js';
import type { CommitWaits, OutboxEntry, OutboxReader } from '../outbox-store.js';
import { mapped } from './service-errors.js';
import { Throttle } from './throttle.js';

/** The channel every instance's outbox NOTIFYs and LISTENs on. */
const CHANNEL = 'goblog_outbox';

export interface PgOutboxOptions {
  readonly logger: Logger;
  /** How often the outbox is looked at without a notification (the polling fallback). Default 2 s. */
  readonly pollMs?: number;
  /** The shortest time between two NOTIFYs of this instance (a burst of records sends one). Default 50 ms. */
  readonly notifyMs?: number;
}

interface Row {
  readonly seq: string;
  readonly message_id: string;
  readonly body: PendingNotification['body'];
  readonly recorded_at: string;
  readonly traceparent: string | null;
}

/**
 * The transactional outbox in the shared database (`accountservice.outbox`), written and read by every
 * accountservice instance. Guarantees:
 * - `record` resolves once its INSERT is committed (PostgreSQL's commit: on disk, on the server, whatever
 *   happens to this process or host); the records of one event-loop turn share one INSERT;
 * - `peek` claims what it returns: `SELECT ... FOR UPDATE SKIP LOCKED` in a transaction held until the next
 *   `remove` (or `peek`), so relays of several instances never block each other nor take the same rows,
 *   and a relay that dies (kill -9, host gone, connection cut) leaves its rows to the others the moment its
 *   connection is gone (the server rolls its transaction back);
 * - `remove` deletes in that claim and commits, which also releases what it did not delete; it retries while
 *   the database is away and resolves only once the rows are gone, so a confirmed entry is never published
 *   again by this instance (another may, after a lost claim: under the same message id);
 * - order: each claim is in recording order; across instances, and for entries released after a failed
 *   publish, none is kept (the vipservice counts notifications, it does not depend on their order);
 * - wake-ups: this instance's records at once; other instances' by LISTEN/NOTIFY; a poll every `pollMs`
 *   for what nobody announced (a dead instance's claim, a listener that was reconnecting).
 * `depth` and `oldestRecordedAt` are the last poll's figures, kept current by this instance's own work.
 */
export class PgOutbox implements NotificationOutbox, OutboxReader, CommitWaits {
  readonly #db: Database;
  readonly #log: Logger;
  readonly #id = randomUUID();
  readonly #listeners = new Set<() => void>();
  /** A peek claims its rows (against the other hosts' relays) until the next remove: one batch at a time. */
  readonly maxBatchesInFlight = 1;
  readonly #notify: Throttle;
  readonly #pollMs: number;
  #claim: HeldClient | undefined;
  #batch: { notification: PendingNotification; resolve: () => void; reject: (err: unknown) => void }[] = [];
  #depth = 0;
  #commitWaitMs = 0;
  #oldest: number | undefined;
  #poll: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #unwatch: (() => void) | undefined;
  #closed = false;
  readonly #closing: { wake?: () => void } = {};

  private constructor(db: Database, options: PgOutboxOptions) {
    this.#db = db;
    this.#log = options.logger;
    this.#pollMs = options.pollMs ?? 2000;
    this.#notify = new Throttle(options.notifyMs ?? 50, () => {
      db.query('SELECT pg_notify($1, $2)', [CHANNEL, this.#id], 'outbox-notify').catch(() => undefined);
    });
  }

  /** Reads the outbox's figures, then listens and polls. Rejects (a DatabaseError) when the database is away. */
  static async open(db: Database, options: PgOutboxOptions): Promise<PgOutbox> {
    const outbox = new PgOutbox(db, options);
    await outbox.#refresh();
    outbox.#start();
    return outbox;
  }

  /**
   * Records of one event-loop turn go into one multi-row INSERT (one round trip, one commit), as lmdb-js
   * batches the puts of a turn: concurrent VIP reads share a commit, and each resolves only after it.
   */
  record(notification: PendingNotification): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      this.#batch.push({ notification, resolve, reject });
      if (this.#batch.length === 1) setImmediate(() => void this.#flush());
    }).finally(() => {
      this.#commitWaitMs += performance.now() - started;
    });
  }

  /** Milliseconds records have waited for their commit, in all (CommitWaits). */
  get commitWaitMs(): number {
    return this.#commitWaitMs;
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    const n = batch.map((b) => b.notification);
    try {
      await mapped(
        this.#db.query(
          `INSERT INTO accountservice.outbox (message_id, body, recorded_at, traceparent)
           SELECT * FROM unnest($1::text[], $2::json[], $3::bigint[], $4::text[])`,
          [
            n.map((x) => x.messageId),
            n.map((x) => JSON.stringify(x.body)),
            n.map((x) => x.recordedAt),
            n.map((x) => x.traceparent ?? null),
          ],
          'outbox-record',
        ),
      );
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    this.#depth += batch.length;
    this.#oldest ??= n[0]?.recordedAt;
    for (const b of batch) b.resolve();
    this.#wake();
    this.#notify.trigger();
  }

  async peek(limit: number, skip?: ReadonlySet<number>): Promise<OutboxEntry[]> {
    if (this.#closed) return [];
    // A claim nobody settled (the relay's round failed between peek and remove): its rows go back.
    this.#endClaim();
    const client = await mapped(this.#db.hold());
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Row>(
        `SELECT seq, message_id, body, recorded_at, traceparent FROM accountservice.outbox
         WHERE seq <> ALL($2::bigint[]) ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, [...(skip ?? [])]],
        'outbox-claim',
      );
      if (rows.length === 0 || !this.#isOpen()) {
        await client.query('COMMIT');
        client.release();
        return [];
      }
      this.#claim = client;
      return rows.map(toEntry);
    } catch (err) {
      if (!client.broken) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw err;
    }
  }

  async remove(seqs: readonly number[]): Promise<void> {
    const unique = [...new Set(seqs)];
    const claim = this.#claim;
    this.#claim = undefined;
    if (claim !== undefined) {
      try {
        const deleted = unique.length === 0 ? 0 : await deleteRows(claim, unique);
        await claim.query('COMMIT');
        this.#removed(deleted);
        return;
      } catch (err) {
        // The claim's transaction is lost with its connection (its locks too): delete outright below.
        if (!isDatabaseError(err, 'UNAVAILABLE')) throw err;
      } finally {
        claim.release();
      }
    }
    if (unique.length > 0) await this.#deleteUntilDone(unique);
  }

  onRecorded(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get depth(): number {
    return this.#depth;
  }

  oldestRecordedAt(): number | undefined {
    return this.#depth === 0 ? undefined : this.#oldest;
  }

  /** Stops listening and polling and gives back a claim still held. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#poll);
    this.#notify.stop();
    this.#unwatch?.();
    this.#closing.wake?.();
    this.#endClaim();
    await this.#unlisten?.();
  }

  /** Read through a method: `close` may run while a call awaits. */
  #isOpen(): boolean {
    return !this.#closed;
  }

  #start(): void {
    this.#unlisten = this.#db.listen(
      CHANNEL,
      (payload) => {
        if (payload !== this.#id) this.#wake();
      },
      () => {
        this.#wake();
      },
    );
    this.#unwatch = this.#db.onAvailabilityChange((up) => {
      if (up) this.#wake();
    });
    const poll = (): void => {
      this.#poll = setTimeout(() => {
        this.#refresh()
          .then(() => {
            if (this.#depth > 0) this.#wake();
          })
          .catch(() => undefined)
          .finally(() => {
            if (!this.#closed) poll();
          });
      }, this.#pollMs);
      this.#poll.unref();
    };
    poll();
  }

  async #refresh(): Promise<void> {
    const { rows } = await this.#db.query<{ depth: number; oldest: number | null }>(
      'SELECT count(*)::int AS depth, min(recorded_at)::float8 AS oldest FROM accountservice.outbox',
    );
    this.#depth = rows[0]?.depth ?? 0;
    this.#oldest = rows[0]?.oldest ?? undefined;
  }

  #wake(): void {
    for (const listener of this.#listeners) listener();
  }

  #removed(count: number): void {
    this.#depth = Math.max(0, this.#depth - count);
  }

  #endClaim(): void {
    const claim = this.#claim;
    this.#claim = undefined;
    if (claim === undefined) return;
    void claim
      .query('ROLLBACK')
      .catch(() => undefined)
      .finally(() => {
        claim.release();
      });
  }

  /** Deletes confirmed rows on any connection, waiting out an unavailable database (until close). */
  async #deleteUntilDone(seqs: readonly number[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new StoreClosedError();
      try {
        this.#removed(await deleteRows(this.#db, seqs));
        return;
      } catch (err) {
        if (!isDatabaseError(err, 'UNAVAILABLE')) throw err;
        if (attempt === 1)
          this.#log.warn(
            { count: seqs.length },
            'database away: confirmed outbox entries deleted once it is back',
          );
      }
      await this.#pause(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
    }
  }

  /** Waits `ms`, or less when the outbox closes. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#closing.wake = done;
    });
  }
}

async function deleteRows(db: { query: Database['query'] }, seqs: readonly number[]): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM accountservice.outbox WHERE seq = ANY($1::bigint[])',
    [seqs],
    'outbox-delete',
  );
  return rowCount ?? 0;
}

function toEntry(row: Row): OutboxEntry {
  return {
    seq: Number(row.seq),
    messageId: row.message_id,
    body: row.body,
    recordedAt: Number(row.recorded_at),
    ...(row.traceparent === null ? {} : { traceparent: row.traceparent }),
  };
}
