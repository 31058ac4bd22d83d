// vip-e2e: from the accountservice's 200 for a VIP read to the offer's update on GET /offers/{id}, at a
// steady rate (open loop), both services built as `npm start` runs them (services/*/dist). Reads and polls
// run in worker threads of their own (bench/lib/e2e-probe.ts); with `timeline`, the services trace and the
// run also returns where each notification's time went (timeline.ts).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BROKER_URL, deleteQueues, startOtlpReceiver } from '@goblog/testkit';
import type { ProbeJob, ProbeResult } from '../lib/e2e-probe.ts';
import { startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import { percentile } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';
import { ACCOUNT } from './notifications.ts';
import { collectTimeline } from './timeline.ts';
import type { VipTimeline } from './timeline.ts';

export interface VipLatencyOptions {
  /** VIP reads per second. Default 100. */
  readonly rate?: number;
  /** How long the steady load runs. Default 10. */
  readonly seconds?: number;
  /**
   * Runs both services with tracing on (OTLP/JSON to a receiver in this process) and returns where each
   * notification's time went, stage by stage. Tracing costs CPU of its own: a run with it is for attribution,
   * not the figure.
   */
  readonly timeline?: boolean;
}

export interface VipLatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How many times the store watcher read the offer (once per write to the store's file). */
  readonly looks: number;
  /** Whether the accountservice said, during the run, that it deferred delivery under load. */
  readonly deferred: boolean;
  /** With `timeline`: where the time went. */
  readonly timeline?: VipTimeline;
  /** Each service's event-loop delay over the run (prom-client's nodejs_eventloop_lag_*), ms. */
  readonly loop?: Readonly<Record<'accountservice' | 'vipservice', LoopStalls>>;
}

export interface LoopStalls {
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Time spent in garbage collection over the whole life of the process, ms. */
  readonly gcMs: number;
}

/** A service's event-loop delay since the previous scrape, and its GC time so far, from /metrics. */
async function loopStalls(port: number): Promise<LoopStalls> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (re: RegExp): number => {
    let sum = 0;
    for (const m of text.matchAll(re)) sum += Number(m[1]);
    return sum * 1000;
  };
  return {
    p99Ms: value(/^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/gm),
    maxMs: value(/^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/gm),
    gcMs: value(/^nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm),
  };
}

/**
 * Steady VIP reads on the accountservice (open loop, `rate` per second) while watching the offer's count in
 * the vipservice's store, each in a worker thread of its own (lib/e2e-probe.ts). The k-th increment of
 * `notifications` is matched with the k-th 200: the latency is the time between the two; a read not
 * answered 200 fails the run, since it would shift the matching. GET /offers/{id} must show the same count
 * at the end.
 */
export async function benchVipLatency(options: VipLatencyOptions = {}): Promise<VipLatencyResult> {
  const rate = options.rate ?? 100;
  const total = Math.round(rate * (options.seconds ?? 10));
  const queue = `vip_queue.bench.${randomUUID().slice(0, 8)}`;
  const accountDir = await mkdtemp(join(tmpdir(), 'goblog-bench-accountservice-'));
  const vipDir = await mkdtemp(join(tmpdir(), 'goblog-bench-vipservice-'));
  const receiver = options.timeline === true ? await startOtlpReceiver() : undefined;
  const tracing: Record<string, string> =
    receiver === undefined
      ? {}
      : {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          // Small, frequent exports: one large export is a pause of its own in the service it leaves.
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_BSP_MAX_QUEUE_SIZE: '65536',
        };
  // BENCH_NODE_OPTIONS: node flags for both services, for an experiment (a preload, a V8 flag).
  const nodeOptions = process.env.BENCH_NODE_OPTIONS;
  const common = {
    VIP_QUEUE: queue,
    AMQP_SERVER_URL: BROKER_URL,
    LOG_LEVEL: 'info',
    ...tracing,
    ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
  };
  const procs: BenchProcess[] = [];
  try {
    const vip = await startProcess(
      ['services/vipservice/dist/main.js'],
      { ...common, SERVER_PORT: '16869', DATA_DIR: vipDir },
      { url: 'http://127.0.0.1:16869/health' },
    );
    procs.push(vip);
    const account = await startProcess(
      ['services/accountservice/dist/main.js'],
      { ...common, SERVER_PORT: '16769', DATA_DIR: accountDir, VIP_ACCOUNT_IDS: ACCOUNT },
      { url: 'http://127.0.0.1:16769/health' },
    );
    procs.push(account);
    const readUrl = `http://127.0.0.1:16769/accounts/${ACCOUNT}`;
    const offerUrl = `http://127.0.0.1:16869/offers/${ACCOUNT}`;
    const counted = async (): Promise<number> => {
      const res = await fetch(offerUrl);
      if (res.status !== 200) {
        await res.arrayBuffer();
        return 0;
      }
      return ((await res.json()) as { notifications: number }).notifications;
    };

    // Warm up both paths, then start from a settled count.
    for (let i = 0; i < 50; i++) await (await fetch(readUrl)).arrayBuffer();
    await until(async () => (await counted()) >= 50, 30_000);
    const base = await counted();
    const linesBefore = account.lines.length;
    // Event-loop delay since the last scrape (prom-client resets it at each): this one opens the window.
    await Promise.all([loopStalls(16769), loopStalls(16869)]);
    const measuredFromNs = BigInt(Math.round(Date.now() * 1e6));

    // The reads and the watcher each run in a worker thread of their own (see lib/e2e-probe.ts).
    const watched = probe({
      role: 'watch',
      dataDir: vipDir,
      accountId: ACCOUNT,
      from: base,
      until: base + total,
      deadlineMs: (total / rate) * 1000 + 30_000,
    });
    const answered = await probe({ role: 'reads', url: readUrl, rate, total });
    const updated = await watched;
    const answeredAt = answered.stamps;
    const updatedAt = updated.stamps;
    const failed = Object.values(answered.failures).reduce((a, b) => a + b, 0);
    if (failed > 0) {
      // The k-th increment is matched with the k-th 200: that holds only if every read was answered 200.
      throw new Error(`vip-e2e: ${failed} reads not answered 200: ${JSON.stringify(answered.failures)}`);
    }
    // What the watcher saw in the store is what the service answers.
    const served = await counted();
    if (served !== base + total) throw new Error(`vip-e2e: GET /offers says ${served}, not ${base + total}`);
    answeredAt.sort((a, b) => a - b);
    const latencies = updatedAt.slice(0, answeredAt.length).map((t, k) => t - (answeredAt[k] ?? t));
    const deferred = account.lines.slice(linesBefore).some((l) => l.includes('outbox delivery deferred'));
    const [accountLoop, vipLoop] = await Promise.all([loopStalls(16769), loopStalls(16869)]);
    const timeline =
      receiver === undefined ? undefined : await collectTimeline(receiver, measuredFromNs, total);
    return {
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      looks: updated.looks,
      deferred,
      loop: { accountservice: accountLoop, vipservice: vipLoop },
      ...(timeline === undefined ? {} : { timeline }),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await receiver?.close();
    await deleteQueues(queue);
    await rm(accountDir, { recursive: true, force: true });
    await rm(vipDir, { recursive: true, force: true });
  }
}

/** Runs one side of the e2e measurement in a worker thread; resolves with what it measured. */
function probe(job: ProbeJob): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../lib/ts-worker.mjs', import.meta.url), {
      argv: [new URL('../lib/e2e-probe.ts', import.meta.url).href],
      workerData: job,
    });
    worker.once('message', (result: ProbeResult) => {
      resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`vip-e2e ${job.role} worker exited with ${code}`));
    });
  });
}
