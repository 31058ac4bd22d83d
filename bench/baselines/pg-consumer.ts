// The floor of vip-consume-pg: a plain amqplib consumer doing the vipservice's PostgreSQL work and nothing
// else, on a pool of the same size (10). Per notification, one transaction on one pooled connection: the
// inbox INSERT ... ON CONFLICT DO NOTHING, the offer locked (SELECT ... FOR UPDATE), then updated (or
// created), COMMIT; the message acked only after the COMMIT. The same tables (a schema of its own), the
// same prepared statements, the same prefetch. The consumer around it is bench/lib/floor-consumer.ts.
// Run as its own process: `node --import tsx bench/baselines/pg-consumer.ts <queue> <count> <prefetch>
// <warm> <database url>`; prints `attached`, `warm` after the first <warm> commits, `done` after the last.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { consumeFloor, floorArgs } from '../lib/floor-consumer.ts';

const args = floorArgs();
const pool = new pg.Pool({ connectionString: args.target, max: 10 });
await pool.query(`CREATE SCHEMA IF NOT EXISTS bench_floor;
  CREATE TABLE IF NOT EXISTS bench_floor.offers (account_id text PRIMARY KEY, offer_id text NOT NULL,
    created_at text NOT NULL, notifications integer NOT NULL, last_read_at text NOT NULL);
  CREATE TABLE IF NOT EXISTS bench_floor.inbox (dedup_key text PRIMARY KEY, seen_at bigint NOT NULL);
  CREATE INDEX IF NOT EXISTS inbox_seen_at ON bench_floor.inbox (seen_at);
  TRUNCATE bench_floor.offers, bench_floor.inbox`);

interface OfferRow {
  readonly notifications: number;
  readonly last_read_at: string;
}

async function record(key: string, accountId: string, readAt: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inbox = await client.query({
      name: 'inbox-insert',
      text: 'INSERT INTO bench_floor.inbox (dedup_key, seen_at) VALUES ($1, $2) ON CONFLICT (dedup_key) DO NOTHING',
      values: [key, Date.now()],
    });
    if (inbox.rowCount === 1) {
      const { rows } = await client.query<OfferRow>({
        name: 'offer-lock',
        text: 'SELECT offer_id, created_at, notifications, last_read_at FROM bench_floor.offers WHERE account_id = $1 FOR UPDATE',
        values: [accountId],
      });
      const row = rows[0];
      if (row === undefined) {
        await client.query({
          name: 'offer-create',
          text: `INSERT INTO bench_floor.offers (account_id, offer_id, created_at, notifications, last_read_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO NOTHING`,
          values: [accountId, randomUUID(), new Date().toISOString(), 1, readAt],
        });
      } else {
        await client.query({
          name: 'offer-update',
          text: 'UPDATE bench_floor.offers SET notifications = $2, last_read_at = $3 WHERE account_id = $1',
          values: [accountId, row.notifications + 1, readAt > row.last_read_at ? readAt : row.last_read_at],
        });
      }
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

await consumeFloor(
  args,
  ({ key, accountId, readAt }) => record(key, accountId, readAt),
  () => pool.end(),
);
