// The accountservice side by side with a bare node:http server answering the same JSON from a Map.
// Quick local run (after `npm run build`):  node --import tsx bench/accountservice.ts [durationSec] [connections]
// Reusable: startAccountserviceForBench() and runAccountserviceBench() for the bench suite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { load } from './lib/load.ts';
import type { LoadResult } from './lib/load.ts';
import { startProcess } from './lib/process.ts';
import type { BenchProcess } from './lib/process.ts';
import { alternate, median } from './lib/stats.ts';

const BROKER_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

export interface AccountserviceForBench {
  readonly process: BenchProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** The VIP queue of this run (VIP_QUEUE), deleted by `stop`. */
  readonly vipQueue: string;
  /** Outbox depth from /health. */
  outboxDepth(): Promise<number>;
  /** Stops the process, deletes its queue and data_dir. */
  stop(): Promise<void>;
}

/** Starts the built accountservice (dist/, as `npm start` runs it) with its own data_dir and VIP queue. */
export async function startAccountserviceForBench(
  options: { port?: number; vipIds?: readonly string[]; env?: Record<string, string> } = {},
): Promise<AccountserviceForBench> {
  const port = options.port ?? 16767;
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-accountservice-'));
  const vipQueue = `vip_queue.bench.${randomUUID().slice(0, 8)}`;
  const proc = await startProcess(
    ['services/accountservice/dist/main.js'],
    {
      SERVER_PORT: String(port),
      DATA_DIR: dataDir,
      VIP_QUEUE: vipQueue,
      VIP_ACCOUNT_IDS: (options.vipIds ?? ['10000']).join(','),
      AMQP_SERVER_URL: BROKER_URL,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    { url: `http://127.0.0.1:${port}/health` },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    process: proc,
    port,
    baseUrl,
    vipQueue,
    async outboxDepth() {
      const body = (await (await fetch(`${baseUrl}/health`)).json()) as { outbox?: { depth?: number } };
      return body.outbox?.depth ?? Number.NaN;
    },
    async stop() {
      await proc.stop();
      const connection = await connect(BROKER_URL);
      const channel = await connection.createChannel();
      for (const q of [vipQueue, `${vipQueue}.retry`, `${vipQueue}.dlq`])
        await channel.deleteQueue(q).catch(() => undefined);
      await connection.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Messages waiting in `queue` (nobody consumes the bench queue, so this counts delivered notifications). */
async function queueMessageCount(queue: string): Promise<number> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export interface AccountserviceBenchResult {
  readonly bare: number;
  readonly account: number;
  readonly vip: number;
  readonly accountRatio: number;
  readonly vipRatio: number;
  readonly vipP99Ms: number;
  readonly accountP99Ms: number;
  readonly vipOk: number;
  readonly delivered: number;
}

/** Runs non-VIP and VIP reads against the service and the bare server, alternating, and checks delivery. */
export async function runAccountserviceBench(options: {
  rounds: number;
  durationSec: number;
  connections: number;
}): Promise<AccountserviceBenchResult> {
  const service = await startAccountserviceForBench({ port: 16767 });
  const bare = await startProcess(
    ['--import', 'tsx', 'bench/baselines/bare-http.ts', '16768'],
    {},
    {
      url: 'http://127.0.0.1:16768/accounts/10001',
    },
  );
  try {
    const run = (url: string) => (): Promise<LoadResult> => load(url, options);
    const ours = (id: string): string => `${service.baseUrl}/accounts/${id}`;
    const bareUrl = 'http://127.0.0.1:16768/accounts/10001';
    await load(ours('10001'), { ...options, durationSec: 1 });
    await load(ours('10000'), { ...options, durationSec: 1 });
    await load(bareUrl, { ...options, durationSec: 1 });
    // The warm-up VIP reads: let them all reach the queue, then count only the measured ones.
    while ((await service.outboxDepth()) > 0) await new Promise((r) => setTimeout(r, 100));
    const warm = await queueMessageCount(service.vipQueue);

    const plain = await alternate(options.rounds, run(ours('10001')), run(bareUrl));
    const vip = await alternate(options.rounds, run(ours('10000')), run(bareUrl));
    const vipOk = vip.a.reduce((n, r) => n + r.ok, 0);
    const deadline = Date.now() + 120_000;
    while ((await service.outboxDepth()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const delivered = (await queueMessageCount(service.vipQueue)) - warm;

    const bareRps = median([...plain.b, ...vip.b].map((r) => r.requestsPerSecond));
    const account = median(plain.a.map((r) => r.requestsPerSecond));
    const vipRps = median(vip.a.map((r) => r.requestsPerSecond));
    return {
      bare: bareRps,
      account,
      vip: vipRps,
      accountRatio: account / bareRps,
      vipRatio: vipRps / bareRps,
      accountP99Ms: median(plain.a.map((r) => r.p99Ms)),
      vipP99Ms: median(vip.a.map((r) => r.p99Ms)),
      vipOk,
      delivered,
    };
  } finally {
    await Promise.all([service.stop(), bare.stop()]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const durationSec = Number(process.argv[2] ?? 5);
  const connections = Number(process.argv[3] ?? 50);
  const r = await runAccountserviceBench({ rounds: 3, durationSec, connections });
  const f = (n: number): string => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    [
      `bare node:http            ${f(r.bare)} req/s`,
      `GET /accounts (non-VIP)   ${f(r.account)} req/s  ratio ${r.accountRatio.toFixed(2)} (target >= 0.8)  p99 ${r.accountP99Ms} ms`,
      `GET /accounts (VIP)       ${f(r.vip)} req/s  ratio ${r.vipRatio.toFixed(2)} (target >= 0.5)  p99 ${r.vipP99Ms} ms`,
      `VIP notifications         ${r.vipOk} answered 200, ${r.delivered} delivered to the queue`,
      '',
    ].join('\n'),
  );
}
