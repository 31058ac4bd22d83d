// The floor of http-vip-pg: a bare node:http server that, for each VIP read, makes the same single INSERT
// into an outbox table as the accountservice's PostgreSQL outbox, on a pool of the same size (10), before
// answering. Run as its own process: `node --import tsx bench/baselines/pg-http.ts <port> <database url>`.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const port = Number(process.argv[2] ?? 0);
const pool = new pg.Pool({ connectionString: process.argv[3], max: 10 });
await pool.query(`CREATE TABLE IF NOT EXISTS bench_floor_outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id text NOT NULL, body json NOT NULL,
  recorded_at bigint NOT NULL, traceparent text)`);
const body = JSON.stringify({ id: '10000', name: 'Person_0', servedBy: `127.0.0.1:${port}` });

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/accounts/10000') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const now = new Date();
  pool
    .query({
      name: 'floor-record',
      text: 'INSERT INTO bench_floor_outbox (message_id, body, recorded_at, traceparent) VALUES ($1, $2, $3, $4)',
      values: [randomUUID(), { accountId: '10000', readAt: now.toISOString() }, now.getTime(), null],
    })
    .then(
      () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body),
      () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"database"}'),
    );
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
