// http-account and http-vip: the accountservice (built, as `npm start` runs it) against a bare node:http
// server answering the same JSON from a Map, under the same autocannon load, alternating A B A B.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { load } from '../lib/load.ts';
import type { LoadResult } from '../lib/load.ts';
import { startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import { alternate, median, range } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';
import type { Row } from '../lib/report.ts';
import { BROKER_URL, deleteQueues, freePort } from '@goblog/testkit';

export interface HttpBenchOptions {
  readonly rounds: number;
  readonly durationSec: number;
  readonly connections: number;
}

async function startBare(port: number): Promise<BenchProcess> {
  return startProcess(
    ['--import', 'tsx', 'bench/baselines/bare-http.ts', String(port)],
    {},
    {
      url: `http://127.0.0.1:${port}/accounts/10001`,
    },
  );
}

async function startFloor(port: number, dataDir: string, mode: 'lmdb' | 'log'): Promise<BenchProcess> {
  return startProcess(
    ['--import', 'tsx', 'bench/baselines/durable-http.ts', String(port), dataDir, mode],
    {},
    {
      url: `http://127.0.0.1:${port}/accounts/10001`,
    },
  );
}

async function startAccountservice(port: number, dataDir: string, queue: string): Promise<BenchProcess> {
  return startProcess(
    ['services/accountservice/dist/main.js'],
    {
      SERVER_PORT: String(port),
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_LEVEL: 'warn',
    },
    { url: `http://127.0.0.1:${port}/health` },
  );
}

/** Counts distinct VIP notifications arriving on `queue` (acks them), from a plain amqplib consumer. */
export async function countNotifications(
  queue: string,
): Promise<{ count: () => number; close: () => Promise<void> }> {
  const connection = await connect(BROKER_URL);
  const channel = await connection.createChannel();
  await channel.checkQueue(queue);
  await channel.prefetch(1000);
  const seen = new Set<string>();
  await channel.consume(queue, (msg) => {
    if (msg === null) return;
    seen.add(String(msg.properties.messageId));
    channel.ack(msg);
  });
  return { count: () => seen.size, close: () => connection.close() };
}

/** Spread and CPU per request of our rounds and the baseline's, for a row. */
function figures(ours: readonly LoadResult[], base: readonly LoadResult[]): Partial<Row> {
  const cpu = (results: readonly LoadResult[]): number | undefined => {
    const values = results.flatMap((r) => (r.cpuUsPerRequest === undefined ? [] : [r.cpuUsPerRequest]));
    return values.length === 0 ? undefined : median(values);
  };
  const oursCpu = cpu(ours);
  const baseCpu = cpu(base);
  return {
    oursRange: range(ours.map((r) => r.requestsPerSecond)),
    baselineRange: range(base.map((r) => r.requestsPerSecond)),
    ...(oursCpu === undefined ? {} : { cpuUs: oursCpu }),
    ...(baseCpu === undefined ? {} : { baselineCpuUs: baseCpu }),
  };
}

/** Which generator drove the rounds, and its own CPU share (of one core) where it is a separate process. */
function generatorNote(results: readonly LoadResult[], durationSec: number): string {
  const generator = results[0]?.generator ?? 'none';
  const cpu = results.flatMap((r) => (r.clientCpuSeconds === undefined ? [] : [r.clientCpuSeconds]));
  if (cpu.length === 0) return `load: ${generator} in the bench process`;
  return `load: ${generator}, ${Math.round((median(cpu) / durationSec) * 100)}% of a core`;
}

export async function benchHttp(options: HttpBenchOptions): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-http-'));
  const queue = `vip_queue.bench.${randomUUID()}`;
  // Free ports, not fixed ones: a second bench (or a test) on the machine must not answer for these servers.
  const [ourPort, barePort, lmdbPort, logPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const service = await startAccountservice(ourPort, join(dataDir, 'service'), queue);
  const bare = await startBare(barePort);
  const lmdbFloor = await startFloor(lmdbPort, join(dataDir, 'floor-lmdb'), 'lmdb');
  const logFloor = await startFloor(logPort, join(dataDir, 'floor-log'), 'log');
  const counter = await countNotifications(queue);
  try {
    const pids = new Map<number, number | undefined>([
      [ourPort, service.child.pid],
      [barePort, bare.child.pid],
      [lmdbPort, lmdbFloor.child.pid],
      [logPort, logFloor.child.pid],
    ]);
    const run = (port: number, id: string) => (): Promise<LoadResult> => {
      const serverPid = pids.get(port);
      return load(`http://127.0.0.1:${port}/accounts/${id}`, {
        ...options,
        ...(serverPid === undefined ? {} : { serverPid }),
      });
    };
    // Warm both up (JIT, lmdb pages) before measuring.
    await load(`http://127.0.0.1:${ourPort}/accounts/10001`, { ...options, durationSec: 1 });
    await load(`http://127.0.0.1:${barePort}/accounts/10001`, { ...options, durationSec: 1 });
    const warmVip = await load(`http://127.0.0.1:${ourPort}/accounts/10000`, { ...options, durationSec: 1 });
    await load(`http://127.0.0.1:${lmdbPort}/accounts/10000`, { ...options, durationSec: 1 });
    await load(`http://127.0.0.1:${logPort}/accounts/10000`, { ...options, durationSec: 1 });
    await until(() => counter.count() >= warmVip.ok, 120_000, 50);

    const plain = await alternate(options.rounds, run(ourPort, '10001'), run(barePort, '10001'));
    const plainRss = await service.rssMiB();

    // VIP reads alternate with the bare server too, but each VIP round is followed by the delivery of its
    // notifications before the bare round starts: the relay defers delivery while requests saturate the
    // service, and its catch-up must not run during (and slow down) the baseline's round. The two durable
    // floors (bench/baselines/durable-http.ts) run in the same rotation.
    const vip = {
      a: [] as LoadResult[],
      b: [] as LoadResult[],
      lmdb: [] as LoadResult[],
      log: [] as LoadResult[],
    };
    const catchUpMs: number[] = [];
    const warmDelivered = counter.count();
    let expected = warmDelivered;
    for (let round = 0; round < options.rounds; round++) {
      const result = await run(ourPort, '10000')();
      vip.a.push(result);
      expected += result.ok;
      const started = performance.now();
      await until(() => counter.count() >= expected, 120_000, 50);
      catchUpMs.push(performance.now() - started);
      vip.b.push(await run(barePort, '10001')());
      vip.lmdb.push(await run(lmdbPort, '10000')());
      vip.log.push(await run(logPort, '10000')());
    }
    const rss = await service.rssMiB();

    const vipOk = vip.a.reduce((n, r) => n + r.ok, 0);
    // Requests cut off when a load run ends are recorded and delivered, but autocannon counts no 200 for them.
    const delivered = counter.count() - warmDelivered;
    const missing = Math.max(0, vipOk - delivered);
    const perRound = median(vip.a.map((r) => r.ok));
    const catchUp = median(catchUpMs) / 1000;

    const bareVip = median(vip.b.map((r) => r.requestsPerSecond));
    const ours = median(vip.a.map((r) => r.requestsPerSecond));
    const floorRow = (scenario: string, results: LoadResult[], name: string): Row => {
      const floor = median(results.map((r) => r.requestsPerSecond));
      return {
        scenario,
        unit: 'req/s',
        ours,
        baseline: floor,
        baselineName: name,
        ...figures(vip.a, results),
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: median(results.map((r) => r.p99Ms)),
        notes: `that floor is ${(floor / bareVip).toFixed(2)}x bare node:http; p50/p99 are the floor's`,
      };
    };

    const rows: Row[] = [
      {
        scenario: 'http-account',
        unit: 'req/s',
        ours: median(plain.a.map((r) => r.requestsPerSecond)),
        baseline: median(plain.b.map((r) => r.requestsPerSecond)),
        baselineName: 'bare node:http',
        target: 0.9,
        ...figures(plain.a, plain.b),
        p50Ms: median(plain.a.map((r) => r.p50Ms)),
        p99Ms: median(plain.a.map((r) => r.p99Ms)),
        rssMiB: plainRss,
        notes: `errors ${plain.a.reduce((n, r) => n + r.errors, 0)}; ${generatorNote([...plain.a, ...plain.b], options.durationSec)}`,
      },
      {
        scenario: 'http-vip',
        unit: 'req/s',
        ours,
        baseline: bareVip,
        baselineName: 'bare node:http (non-VIP)',
        target: 0.5,
        ...figures(vip.a, vip.b),
        p50Ms: median(vip.a.map((r) => r.p50Ms)),
        p99Ms: median(vip.a.map((r) => r.p99Ms)),
        rssMiB: rss,
        notes:
          `${vipOk} VIP 200s, ${delivered} notifications delivered, ${missing} missing; ` +
          `each round's backlog delivered ${catchUp.toFixed(1)} s after it ` +
          `(${Math.round(perRound / (options.durationSec + catchUp))} VIP reads/s end to end)`,
      },
      floorRow('http-vip-lmdb-floor', vip.lmdb, 'node:http + one LMDB put per read'),
      floorRow('http-vip-flush-floor', vip.log, 'node:http + log write, shared fdatasync'),
    ];
    return rows;
  } finally {
    await counter.close().catch(() => undefined);
    await Promise.all([service.stop(), bare.stop(), lmdbFloor.stop(), logFloor.stop()]);
    await deleteQueues(queue);
    await rm(dataDir, { recursive: true, force: true });
  }
}
