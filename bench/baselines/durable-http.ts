// The http-vip floors: the bare node:http server of bare-http.ts, except that a read of the VIP account makes
// one small record durable before it answers. Two ways, to tell apart what the disk costs, what LMDB adds
// and what the accountservice adds on top:
// - `lmdb`: one lmdb-js put per read, with the accountservice's default durable options (one commit, one
//   fdatasync per transaction; lmdb-js puts all puts of one event-loop turn into one transaction);
// - `log`: the least any design can do: the record written into a preallocated file (no file growth, no
//   index, no checksum) and one fdatasync shared by every read that arrived while the previous one ran.
// No relay, no metrics, no validation. Run as its own process:
//   node --import tsx bench/baselines/durable-http.ts <port> <dataDir> <lmdb|log>
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fdatasync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';

function usage(): never {
  throw new Error('usage: durable-http.ts <port> <dataDir> <lmdb|log>');
}
const port = Number(process.argv[2] ?? 0);
const dataDir = process.argv[3] ?? usage();
const mode = process.argv[4] === 'lmdb' || process.argv[4] === 'log' ? process.argv[4] : usage();
mkdirSync(dataDir, { recursive: true });

const record = (id: string): string =>
  JSON.stringify({ messageId: randomUUID(), accountId: id, readAt: new Date().toISOString() });

/** Makes one record durable, then calls `done` (or `failed`). */
type Persist = (id: string, done: () => void, failed: (err: unknown) => void) => void;

function lmdbPersist(): Persist {
  const root = open({ path: dataDir, overlappingSync: false, noMetaSync: true });
  const entries = root.openDB<string, number>({ name: 'outbox', encoding: 'string' });
  let seq = 0;
  return (id, done, failed) => {
    entries.put(++seq, record(id)).then(done, failed);
  };
}

function logPersist(): Persist {
  const size = 64 * 1024 * 1024;
  const fd = openSync(join(dataDir, 'log'), 'w+');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += zeros.length) writeSync(fd, zeros);
  fdatasyncSync(fd);
  let offset = 0;
  let waiting: { done: () => void; failed: (err: unknown) => void }[] = [];
  let flushing = false;
  const flush = (): void => {
    if (flushing || waiting.length === 0) return;
    flushing = true;
    const batch = waiting;
    waiting = [];
    fdatasync(fd, (err) => {
      flushing = false;
      for (const w of batch) {
        if (err) w.failed(err);
        else w.done();
      }
      flush();
    });
  };
  return (id, done, failed) => {
    const line = Buffer.from(`${record(id)}\n`);
    if (offset + line.length > size) offset = 0;
    writeSync(fd, line, 0, line.length, offset);
    offset += line.length;
    waiting.push({ done, failed });
    // The first waiter of an idle turn schedules the flush; while one runs, the next picks the rest up.
    if (!flushing && waiting.length === 1) setImmediate(flush);
  };
}

const persist = mode === 'lmdb' ? lmdbPersist() : logPersist();

const accounts = new Map<string, string>();
for (let i = 0; i < 100; i++) {
  const id = String(10000 + i);
  accounts.set(id, JSON.stringify({ id, name: `Person_${i}`, servedBy: `127.0.0.1:${port}` }));
}

const ok = (res: ServerResponse, body: string): void => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
};

const server = createServer((req, res) => {
  const match = /^\/accounts\/(\d{1,20})$/.exec(req.url ?? '');
  const id = match?.[1];
  const body = id === undefined ? undefined : accounts.get(id);
  if (req.method !== 'GET' || id === undefined || body === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  if (id !== '10000') {
    ok(res, body);
    return;
  }
  persist(
    id,
    () => {
      ok(res, body);
    },
    (err) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
    },
  );
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
