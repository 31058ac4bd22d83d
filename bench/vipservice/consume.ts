// vip-consume: the consume-and-record throughput of one vipservice instance (built, services/*/dist) working
// through a backlog of notifications, side by side (A B C A B C) with the ceiling and the floor of
// consume-baselines.ts on the same quorum queue topology and prefetch; CPU per message and RSS of each.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteQueues } from '@goblog/testkit';
import { cpuSecondsOf } from '../lib/cpu.ts';
import { openOfferCount, type OfferCount } from '../lib/offer-count.ts';
import { memoryOf, startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import { median } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';
import { consumeLmdbFloor, consumeRaw } from './consume-baselines.ts';
import { ACCOUNT, fillBacklog } from './notifications.ts';

export interface VipConsumeOptions {
  /** Notifications in the backlog of each run. Default 50 000. */
  readonly messages?: number;
  /** Rounds of (vipservice, LMDB floor, raw consumer). Default 3. */
  readonly rounds?: number;
  /** Prefetch of both consumers (the vipservice's consumer_prefetch). Default 500. */
  readonly prefetch?: number;
  /** The vipservice's log_level; 'info' (the default) logs `Got a message:` per notification, as deployed. */
  readonly logLevel?: string;
}

export interface ConsumeRun {
  readonly msgsPerSec: number;
  /** CPU time (user + system) of the consuming process per message, microseconds: robust to a busy machine. */
  readonly cpuUsPerMsg: number;
  /** Resident set size at the end of the run, and its peak, MiB. */
  readonly rssMiB: number;
  readonly peakRssMiB: number;
}

export interface VipConsumeResult {
  readonly ours: ConsumeRun;
  readonly raw: ConsumeRun;
  /** The raw consumer doing the same LMDB transactions, acking after their commit. */
  readonly floor: ConsumeRun;
  /** Median of the per-round ratios ours / raw. */
  readonly ratio: number;
  /** Median of the per-round ratios ours / floor. */
  readonly floorRatio: number;
  readonly rounds: readonly ConsumeRound[];
}

export interface ConsumeRound {
  readonly ours: ConsumeRun;
  readonly raw: ConsumeRun;
  readonly floor: ConsumeRun;
}

type Side = keyof ConsumeRound;

/** Backlog throughput: the vipservice against the raw ack-only consumer, alternating. */
export async function benchVipConsume(options: VipConsumeOptions = {}): Promise<VipConsumeResult> {
  const messages = options.messages ?? 50_000;
  const prefetch = options.prefetch ?? 500;
  const rounds: ConsumeRound[] = [];
  for (let i = 0; i < (options.rounds ?? 3); i++) {
    const ours = await consumeWithVipservice(messages, prefetch, options.logLevel ?? 'info');
    const floor = await consumeLmdbFloor(messages, prefetch);
    const raw = await consumeRaw(messages, prefetch);
    rounds.push({ ours, raw, floor });
  }
  const mid = (pick: (r: ConsumeRun) => number, side: Side): number =>
    median(rounds.map((r) => pick(r[side])));
  const summary = (side: Side): ConsumeRun => ({
    msgsPerSec: mid((r) => r.msgsPerSec, side),
    cpuUsPerMsg: mid((r) => r.cpuUsPerMsg, side),
    rssMiB: mid((r) => r.rssMiB, side),
    peakRssMiB: mid((r) => r.peakRssMiB, side),
  });
  return {
    ours: summary('ours'),
    raw: summary('raw'),
    floor: summary('floor'),
    ratio: median(rounds.map((r) => r.ours.msgsPerSec / r.raw.msgsPerSec)),
    floorRatio: median(rounds.map((r) => r.ours.msgsPerSec / r.floor.msgsPerSec)),
    rounds,
  };
}

/**
 * Both consumers are timed over the same window, from the moment the first tenth of the backlog has been
 * consumed to the moment all of it is (recorded, for the vipservice), so that process startup and JIT warm-up
 * stay out of the figure whatever the backlog size.
 */
export async function consumeWithVipservice(
  messages: number,
  prefetch: number,
  logLevel: string,
  /** More environment for the vipservice (the tracing scenario switches OpenTelemetry on with it). */
  env: Record<string, string> = {},
): Promise<ConsumeRun> {
  const queue = `vip_queue.bench.${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-vipservice-'));
  const port = 16868;
  const warm = Math.max(1, Math.floor(messages / 10));
  let proc: BenchProcess | undefined;
  let store: OfferCount | undefined;
  try {
    await fillBacklog(queue, messages);
    // It consumes as soon as its consumer is attached, before it listens on HTTP: the start of the window is
    // its `Got a message:` lines (log_level info, as deployed); below info, /health stands in (later, so in
    // the vipservice's favour).
    const verbose = ['info', 'debug', 'trace'].includes(logLevel);
    proc = await startProcess(
      ['services/vipservice/dist/main.js'],
      {
        SERVER_PORT: String(port),
        DATA_DIR: dataDir,
        VIP_QUEUE: queue,
        AMQP_SERVER_URL: BROKER_URL,
        LOG_LEVEL: logLevel,
        CONSUMER_PREFETCH: String(prefetch),
        ...env,
      },
      verbose ? { line: 'consumer attached' } : { url: `http://127.0.0.1:${port}/health` },
    );
    const pid = proc.child.pid;
    // What is recorded, read from the LMDB store itself (costing the service nothing, see offer-count.ts);
    // from GET /offers with the PostgreSQL store.
    store = env.DATABASE_URL === undefined ? openOfferCount(dataDir, ACCOUNT) : undefined;
    const url = `http://127.0.0.1:${port}/offers/${ACCOUNT}`;
    const fromStore = store?.read.bind(store);
    const recorded = async (): Promise<number> => {
      if (fromStore !== undefined) return fromStore();
      const res = await fetch(url).catch(() => undefined);
      if (res?.status !== 200) return 0;
      return ((await res.json()) as { notifications: number }).notifications;
    };
    let started = performance.now();
    let cpuBefore = await cpuSecondsOf(pid);
    let measured = messages;
    let ended: number;
    let cpuAfter: number;
    if (verbose) {
      // Its log lines (one per notification, before its commit) tell when to start asking /offers: it may
      // still be starting its HTTP server while it consumes, and /offers would only answer then.
      const got = lineCounter(proc.lines, 'Got a message:');
      await until(() => got() >= warm, 600_000);
      // The window opens at the warm-th commit, as the floors' does: the lines lead the commits by up to a
      // prefetch's worth of messages (a whole one with the PostgreSQL store), which would otherwise be
      // committed inside the window without being counted.
      let atStart = 0;
      await until(async () => (atStart = await recorded()) >= warm, 600_000);
      started = performance.now();
      cpuBefore = await cpuSecondsOf(pid);
      // The window ends once all of them are recorded: with the PostgreSQL store the commits trail the
      // lines by up to a prefetch's worth of messages.
      await until(() => got() >= messages, 600_000);
      await until(async () => (await recorded()) >= messages, 600_000);
      ended = performance.now();
      cpuAfter = await cpuSecondsOf(pid);
      measured = messages - atStart;
    } else {
      await until(async () => (await recorded()) >= messages, 600_000);
      ended = performance.now();
      cpuAfter = await cpuSecondsOf(pid);
    }
    const cpuUsPerMsg = ((cpuAfter - cpuBefore) * 1e6) / measured;
    return { msgsPerSec: measured / ((ended - started) / 1000), cpuUsPerMsg, ...(await memoryOf(pid)) };
  } finally {
    await store?.close();
    await proc?.stop();
    await deleteQueues(queue);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Counts the lines containing `text` so far, reading only the new ones at each call. */
function lineCounter(lines: readonly string[], text: string): () => number {
  let read = 0;
  let count = 0;
  return () => {
    for (; read < lines.length; read++) if (lines[read]?.includes(text)) count++;
    return count;
  };
}
