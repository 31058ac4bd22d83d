// http-vip-pg and http-account-pg: the accountservice with database_url set (accounts and outbox in
// PostgreSQL), built as `npm start` runs it, side by side (A B A B) with its floors under the same load:
// - VIP reads against a bare node:http server making the same single INSERT per read on a pool of the same
//   size (bench/baselines/pg-http.ts); the relay's delivery of each round finishes before the floor's round;
// - non-VIP reads (accounts cached, evicted on change by LISTEN/NOTIFY) against bare node:http from a Map.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, createTestDatabase, deleteQueues, queryRows } from '@goblog/testkit';
import { load } from '../lib/load.ts';
import type { LoadResult } from '../lib/load.ts';
import { startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import type { Row } from '../lib/report.ts';
import { alternate, median, range } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';

export interface PgHttpBenchOptions {
  readonly rounds: number;
  readonly durationSec: number;
  readonly connections: number;
}

export async function benchPostgresHttp(options: PgHttpBenchOptions): Promise<Row[]> {
  const database = await createTestDatabase('bench');
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-pg-'));
  const queue = `vip_queue.bench.${randomUUID()}`;
  const [ourPort, floorPort, barePort] = [16771, 16772, 16773];
  const started: BenchProcess[] = [];
  try {
    const service = await startProcess(
      ['services/accountservice/dist/main.js'],
      {
        SERVER_PORT: String(ourPort),
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        VIP_QUEUE: queue,
        AMQP_SERVER_URL: BROKER_URL,
        LOG_LEVEL: 'warn',
      },
      { url: `http://127.0.0.1:${ourPort}/health` },
    );
    started.push(service);
    const floor = await startProcess(
      ['--import', 'tsx', 'bench/baselines/pg-http.ts', String(floorPort), database.url],
      {},
      { line: 'listening on' },
    );
    started.push(floor);
    const bare = await startProcess(
      ['--import', 'tsx', 'bench/baselines/bare-http.ts', String(barePort)],
      {},
      { line: 'listening on' },
    );
    started.push(bare);
    const pids = new Map([
      [ourPort, service.child.pid],
      [floorPort, floor.child.pid],
      [barePort, bare.child.pid],
    ]);
    const run = (port: number, id: string) => (): Promise<LoadResult> => {
      const serverPid = pids.get(port);
      return load(`http://127.0.0.1:${port}/accounts/${id}`, {
        ...options,
        ...(serverPid === undefined ? {} : { serverPid }),
      });
    };
    const outboxEmpty = async (): Promise<boolean> => {
      const [row] = await queryRows<{ n: number }>(
        database.url,
        'SELECT count(*)::int AS n FROM accountservice.outbox',
      );
      return row?.n === 0;
    };
    for (const [port, id] of [
      [ourPort, '10000'],
      [floorPort, '10000'],
      [ourPort, '10001'],
      [barePort, '10001'],
    ] as const) {
      await load(`http://127.0.0.1:${port}/accounts/${id}`, { ...options, durationSec: 1 });
    }
    await until(outboxEmpty, 120_000, 50);

    const vip = { ours: [] as LoadResult[], floor: [] as LoadResult[] };
    for (let round = 0; round < options.rounds; round++) {
      vip.ours.push(await run(ourPort, '10000')());
      await until(outboxEmpty, 120_000, 50);
      vip.floor.push(await run(floorPort, '10000')());
    }
    const plain = await alternate(options.rounds, run(ourPort, '10001'), run(barePort, '10001'));
    const rss = await service.rssMiB();
    const rate = (results: readonly LoadResult[]): number => median(results.map((r) => r.requestsPerSecond));
    const p = (results: readonly LoadResult[], key: 'p50Ms' | 'p99Ms'): number =>
      median(results.map((r) => r[key]));
    return [
      {
        scenario: 'http-vip-pg',
        unit: 'req/s',
        ours: rate(vip.ours),
        baseline: rate(vip.floor),
        baselineName: 'node:http + one INSERT (pool 10)',
        target: 0.9,
        p50Ms: p(vip.ours, 'p50Ms'),
        p99Ms: p(vip.ours, 'p99Ms'),
        rssMiB: rss,
        oursRange: range(vip.ours.map((r) => r.requestsPerSecond)),
        baselineRange: range(vip.floor.map((r) => r.requestsPerSecond)),
        notes: 'VIP read: the PostgreSQL outbox INSERT committed before the 200',
      },
      {
        scenario: 'http-account-pg',
        unit: 'req/s',
        ours: rate(plain.a),
        baseline: rate(plain.b),
        baselineName: 'node:http from a Map',
        p50Ms: p(plain.a, 'p50Ms'),
        p99Ms: p(plain.a, 'p99Ms'),
        oursRange: range(plain.a.map((r) => r.requestsPerSecond)),
        baselineRange: range(plain.b.map((r) => r.requestsPerSecond)),
        notes:
          'non-VIP read: accounts cached, a change evicted by NOTIFY (trigger on accountservice.accounts)',
      },
    ];
  } finally {
    for (const proc of started.reverse()) await proc.stop();
    await deleteQueues(queue).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}
