// The vipservice under load, built as `npm start` runs it (services/*/dist):
// - consume: consume-and-record throughput of one instance working through a backlog of N notifications,
//   side by side (A B C A B C) with a raw amqplib consumer that only acks (the ceiling) and one that does the
//   same durable LMDB work as the service and nothing else (the floor, bench/baselines/lmdb-consumer.ts), on
//   the same quorum queue topology and prefetch; CPU per message and RSS of each.
// - e2e latency: from the accountservice's 200 for a VIP read to the offer's update on GET /offers/{id},
//   at a steady moderate rate (open loop).
//
//   npm run build && node --import tsx bench/vipservice.ts [--messages 50000] [--rounds 3] [--rate 100[,500]]
//     [--seconds 10] [--timeline]
//   --messages 0 runs the e2e latency alone; --timeline runs it with tracing on and prints where each stage's
//   time went (the outbox commit, the relay's publish, the confirm, the delivery, the LMDB commit).
//
// Exported for the bench runner: benchVipservice(settings) -> Row[], and benchVipConsume / benchVipLatency.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import amqplib from 'amqplib';
import { connectAmqp } from '@goblog/messaging';
import { vipNotificationType } from '@goblog/vipservice';
import { BROKER_URL, deleteQueues, startOtlpReceiver } from '@goblog/testkit';
import type { OtlpReceiver, ReceivedSpan } from '@goblog/testkit';
import { startProcess } from './lib/process.ts';
import type { BenchProcess } from './lib/process.ts';
import type { ProbeJob, ProbeResult } from './lib/e2e-probe.ts';
import type { Row } from './lib/report.ts';
import { median, percentile } from './lib/stats.ts';
import { until } from './lib/wait.ts';

const ACCOUNT = '10000';

export interface VipConsumeOptions {
  /** Notifications in the backlog of each run. Default 50 000. */
  readonly messages?: number;
  /** Rounds of (vipservice, raw consumer). Default 3. */
  readonly rounds?: number;
  /** Prefetch of both consumers (the vipservice's consumer_prefetch). Default 100. */
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

/** One stage of the path, over every traced notification of the run, ms. */
export interface StageFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Mean over the slowest 1% of notifications (by 200 -> offer committed): what their tail is made of. */
  readonly tailMeanMs: number;
}

/** Where the time between a VIP read's 200 and its offer's commit went, from the services' spans. */
export interface VipTimeline {
  readonly traced: number;
  readonly stages: Readonly<Record<TimelineStage, StageFigures>>;
}

/**
 * The stages, from the spans of one read's trace: the request's SERVER span, the outbox record (`create`,
 * ending at its commit), the relay's `publish` (from its write to the broker's confirm), the vipservice's
 * `process` (starting at the delivery) and its `commit offer`.
 */
const TIMELINE_STAGES = [
  /** The outbox commit, to the end of the response (serialisation, the write of the 200). */
  'commit->200',
  /** The outbox commit, to the relay's publish of the entry (the relay's wake-up, its load check, the batch before). */
  'commit->publish',
  /** The publish, to the broker's confirm (the quorum queue's write and fsync). */
  'publish->confirm',
  /** The publish, to the delivery in the vipservice (queue, socket, the consumer's event loop). */
  'publish->delivery',
  /** The delivery, to the start of its LMDB transaction (the handler's work, the write thread's turn). */
  'delivery->txn',
  /** The LMDB transaction, from its start to its commit. */
  'txn->commit',
  /** The end of the response, to the commit of the offer: the e2e latency as the services see it. */
  '200->commit',
] as const;
type TimelineStage = (typeof TIMELINE_STAGES)[number];

export interface VipLatencyResult {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Mean duration of one GET /offers poll: the resolution of the measurement. */
  readonly pollMs: number;
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

/** Both scenarios as rows for the suite's table. */
export async function benchVipservice(settings: {
  readonly rounds: number;
  readonly messages: number;
  readonly quick: boolean;
}): Promise<Row[]> {
  const consume = await benchVipConsume({ rounds: settings.rounds, messages: settings.messages });
  // A moderate and a high steady rate: the second shows what batching and scheduling add under load.
  // Each rate beside its durable floor (the broker's and the store's commits alone, E2E_FLOOR), one after
  // the other, so that a reader sees how much of a tail the machine itself makes at that moment.
  const rate = 100;
  const latency = await benchVipLatency({ rate, seconds: settings.quick ? 3 : 10 });
  const floor = await benchE2eFloor(rate, settings.quick ? 3 : 10);
  const highRate = 500;
  const high = await benchVipLatency({ rate: highRate, seconds: settings.quick ? 2 : 10 });
  const highFloor = await benchE2eFloor(highRate, settings.quick ? 2 : 10);
  const floorNote = (f: VipLatencyResult): string =>
    `durable floor (raw publish -> quorum queue -> LMDB commit) p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms`;
  const spread = (side: Side): readonly [number, number] => {
    const rates = consume.rounds.map((r) => r[side].msgsPerSec);
    return [Math.min(...rates), Math.max(...rates)];
  };
  return [
    {
      scenario: 'vip-consume',
      unit: 'msg/s',
      ours: consume.ours.msgsPerSec,
      baseline: consume.raw.msgsPerSec,
      baselineName: 'raw amqplib ack-only',
      oursRange: spread('ours'),
      baselineRange: spread('raw'),
      cpuUs: consume.ours.cpuUsPerMsg,
      baselineCpuUs: consume.raw.cpuUsPerMsg,
      rssMiB: consume.ours.rssMiB,
      notes: `backlog of ${settings.messages}, prefetch 500, log_level info; raw consumer RSS ${consume.raw.rssMiB.toFixed(0)} MiB`,
    },
    {
      scenario: 'vip-consume-lmdb-floor',
      unit: 'msg/s',
      ours: consume.ours.msgsPerSec,
      baseline: consume.floor.msgsPerSec,
      baselineName: 'raw amqplib + the same LMDB transactions',
      target: 0.9,
      oursRange: spread('ours'),
      baselineRange: spread('floor'),
      cpuUs: consume.ours.cpuUsPerMsg,
      baselineCpuUs: consume.floor.cpuUsPerMsg,
      notes: `ack after commit, prefetch 500; floor RSS ${consume.floor.rssMiB.toFixed(0)} MiB`,
    },
    {
      scenario: 'vip-e2e-latency',
      unit: 'reads/s',
      ours: rate,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      notes: `accountservice 200 -> offer updated, ${latency.samples} samples, poll ${latency.pollMs.toFixed(2)} ms; ${floorNote(floor)}`,
    },
    {
      scenario: 'vip-e2e-500',
      unit: 'reads/s',
      ours: highRate,
      p50Ms: high.p50Ms,
      p99Ms: high.p99Ms,
      notes: `target p99 <= 10 ms; ${high.samples} samples, poll ${high.pollMs.toFixed(2)} ms, max ${high.maxMs.toFixed(1)} ms; ${floorNote(highFloor)}`,
    },
  ];
}

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
    const url = `http://127.0.0.1:${port}/offers/${ACCOUNT}`;
    const recorded = async (): Promise<number> => {
      const res = await fetch(url).catch(() => undefined);
      if (res?.status !== 200) return 0;
      return ((await res.json()) as { notifications: number }).notifications;
    };
    let started = performance.now();
    let cpuBefore = await cpuMsOf(proc);
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
      cpuBefore = await cpuMsOf(proc);
      // The window ends once all of them are recorded: with the PostgreSQL store the commits trail the
      // lines by up to a prefetch's worth of messages.
      await until(() => got() >= messages, 600_000);
      await until(async () => (await recorded()) >= messages, 600_000);
      ended = performance.now();
      cpuAfter = await cpuMsOf(proc);
      measured = messages - atStart;
    } else {
      await until(async () => (await recorded()) >= messages, 600_000);
      ended = performance.now();
      cpuAfter = await cpuMsOf(proc);
    }
    const cpuUsPerMsg = ((cpuAfter - cpuBefore) * 1000) / measured;
    return { msgsPerSec: measured / ((ended - started) / 1000), cpuUsPerMsg, ...(await memoryOf(proc)) };
  } finally {
    await proc?.stop();
    await deleteQueues(queue);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function consumeRaw(messages: number, prefetch: number): Promise<ConsumeRun> {
  return consumeWithProgram(messages, (queue, warm) => [
    ['--input-type=module', '-e', RAW_CONSUMER, queue, String(messages), String(prefetch), String(warm)],
  ]);
}

/** The floor: bench/baselines/lmdb-consumer.ts, in a data folder of its own. */
async function consumeLmdbFloor(messages: number, prefetch: number): Promise<ConsumeRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-lmdb-floor-'));
  try {
    return await consumeWithProgram(messages, (queue, warm) => [
      ['--import', 'tsx', 'bench/baselines/lmdb-consumer.ts', queue, String(messages), String(prefetch)],
      [String(warm), dataDir],
    ]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * A baseline consumer program (the node arguments `argsFor` gives, joined) through a backlog of `messages`:
 * it prints `attached`, then `warm` after the first tenth, then `done`; timed between the last two.
 */
export async function consumeWithProgram(
  messages: number,
  argsFor: (queue: string, warm: number) => readonly (readonly string[])[],
): Promise<ConsumeRun> {
  const queue = `vip_queue.bench.${randomUUID().slice(0, 8)}`;
  const warm = Math.max(1, Math.floor(messages / 10));
  let proc: BenchProcess | undefined;
  try {
    await fillBacklog(queue, messages);
    proc = await startProcess(
      argsFor(queue, warm).flat(),
      { AMQP_SERVER_URL: BROKER_URL },
      { line: 'attached' },
    );
    const { lines } = proc;
    await until(() => lines.includes('warm'), 600_000);
    const started = performance.now();
    const cpuBefore = await cpuMsOf(proc);
    await until(() => lines.includes('done'), 600_000);
    const seconds = (performance.now() - started) / 1000;
    const cpuUsPerMsg = (((await cpuMsOf(proc)) - cpuBefore) * 1000) / (messages - warm);
    return { msgsPerSec: (messages - warm) / seconds, cpuUsPerMsg, ...(await memoryOf(proc)) };
  } finally {
    await proc?.stop();
    await deleteQueues(queue);
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

/**
 * The ceiling: a consumer that acks each message and does nothing else, as a plain node program (no tsx, no
 * workspace packages loaded), so that its RSS is amqplib's alone. Prints `attached`, `warm` after the first
 * `warm` messages, then `done`. argv: queue, count, prefetch, warm.
 */
const RAW_CONSUMER = `
import amqplib from 'amqplib';
const [queue, count, prefetch, warm] = process.argv.slice(1);
const connection = await amqplib.connect(process.env.AMQP_SERVER_URL);
const channel = await connection.createChannel();
await channel.prefetch(Number(prefetch));
let seen = 0;
await channel.consume(queue, (msg) => {
  if (msg === null) return;
  channel.ack(msg);
  if (++seen === Number(warm)) process.stdout.write('warm\\n');
  if (seen === Number(count)) process.stdout.write('done\\n');
});
process.stdout.write('attached\\n');
process.once('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
`;

/**
 * The durable floor of the e2e path, as a plain node program: a confirm channel publishing persistent
 * messages at `rate` per second (open loop) to a quorum queue, and on a second connection a consumer doing
 * the vipservice's LMDB transaction per message (dedup check, offer update, dedup record and its time index,
 * as bench/baselines/lmdb-consumer.ts does), acking after the commit. No outbox, no HTTP, no services: what
 * the broker's and the store's commits cost on this machine at this rate. Prints `attached`, then
 * `result <json>` with the latencies publish -> commit (ms). argv: queue, rate, count, dataDir.
 */
const E2E_FLOOR = `
import amqplib from 'amqplib';
import { open } from 'lmdb';
const [queue, rate, count, dataDir] = process.argv.slice(1);
const now = () => performance.timeOrigin + performance.now();
const root = open({ path: dataDir, maxDbs: 4 });
const offers = root.openDB({ name: 'offers' });
const dedup = root.openDB({ name: 'dedup' });
const seen = root.openDB({ name: 'dedup-by-time' });
const producer = await amqplib.connect(process.env.AMQP_SERVER_URL);
const consumer = await amqplib.connect(process.env.AMQP_SERVER_URL);
const pub = await producer.createConfirmChannel();
await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
const sub = await consumer.createChannel();
await sub.prefetch(500);
const sentAt = new Map();
const latencies = [];
let finished;
const done = new Promise((resolve) => (finished = resolve));
await sub.consume(queue, (msg) => {
  if (msg === null) return;
  const id = msg.properties.messageId;
  void root.transaction(() => {
    if (dedup.doesExist(id)) return;
    const current = offers.get('10000');
    const at = Date.now();
    offers.putSync('10000', { accountId: '10000', notifications: (current?.notifications ?? 0) + 1, lastReadAt: new Date(at).toISOString() });
    dedup.putSync(id, at);
    seen.putSync([at, id], 1);
  }).then(() => {
    latencies.push(now() - sentAt.get(id));
    sub.ack(msg);
    if (latencies.length === Number(count)) finished();
  });
});
process.stdout.write('attached\\n');
const start = now();
for (let i = 0; i < Number(count); i++) {
  const wait = start + (i * 1000) / Number(rate) - now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const id = 'floor-' + i;
  sentAt.set(id, now());
  pub.publish('', queue, Buffer.from(JSON.stringify({ accountId: '10000', readAt: new Date().toISOString() })), { persistent: true, messageId: id });
}
await done;
process.stdout.write('result ' + JSON.stringify(latencies) + '\\n');
await pub.deleteQueue(queue).catch(() => undefined);
await producer.close();
await consumer.close();
await root.close();
`;

/** The durable floor of vip-e2e at `rate` (see E2E_FLOOR): publish -> committed, over `seconds`. */
export async function benchE2eFloor(rate: number, seconds: number): Promise<VipLatencyResult> {
  const queue = `vip_queue.bench-floor.${randomUUID().slice(0, 8)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-e2e-floor-'));
  const total = Math.round(rate * seconds);
  let proc: BenchProcess | undefined;
  try {
    proc = await startProcess(
      ['--input-type=module', '-e', E2E_FLOOR, queue, String(rate), String(total), dataDir],
      { AMQP_SERVER_URL: BROKER_URL },
      { line: 'attached' },
    );
    const { lines } = proc;
    await until(() => lines.some((l) => l.startsWith('result ')), seconds * 1000 + 60_000);
    const line = lines.find((l) => l.startsWith('result ')) ?? 'result []';
    const latencies = JSON.parse(line.slice('result '.length)) as number[];
    return {
      samples: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      pollMs: 0,
      deferred: false,
    };
  } finally {
    await proc?.stop();
    await deleteQueues(queue);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Puts `count` notifications on `queue` as the accountservice does (typed, persistent, confirmed, a message_id
 * each), declaring the queue's topology, and waits until the broker holds them all.
 */
async function fillBacklog(queue: string, count: number): Promise<void> {
  const transport = await connectAmqp({ url: BROKER_URL, connectionName: `bench-filler:${queue}` });
  try {
    const publisher = transport.createPublisher();
    const type = vipNotificationType(queue);
    const base = Date.now();
    const chunk = 2000;
    for (let from = 0; from < count; from += chunk) {
      const size = Math.min(chunk, count - from);
      await Promise.all(
        Array.from({ length: size }, (_, i) =>
          publisher.publish(type, { accountId: ACCOUNT, readAt: new Date(base + from + i).toISOString() }),
        ),
      );
    }
    await publisher.close();
  } finally {
    await transport.close();
  }
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    await until(async () => (await channel.checkQueue(queue)).messageCount >= count, 60_000);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Steady VIP reads on the accountservice (open loop, `rate` per second) while polling GET /offers/{id} on
 * the vipservice back to back, each in a worker thread of its own. The k-th increment of `notifications`
 * is matched with the k-th 200: the latency is the time between the two (the poll's own duration is the
 * resolution); a read not answered 200 fails the run, since it would shift the matching.
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

    // The reads and the polls each run in a worker thread of their own (see lib/e2e-probe.ts).
    const poll = probe({
      role: 'poll',
      url: offerUrl,
      from: base,
      until: base + total,
      deadlineMs: (total / rate) * 1000 + 30_000,
    });
    const answered = await probe({ role: 'reads', url: readUrl, rate, total });
    const updated = await poll;
    const answeredAt = answered.stamps;
    const updatedAt = updated.stamps;
    const polls = updated.polls;
    const pollTime = updated.pollMs;
    const failed = Object.values(answered.failures).reduce((a, b) => a + b, 0);
    if (failed > 0) {
      // The k-th increment is matched with the k-th 200: that holds only if every read was answered 200.
      throw new Error(`vip-e2e: ${failed} reads not answered 200: ${JSON.stringify(answered.failures)}`);
    }
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
      pollMs: pollTime / Math.max(1, polls),
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

/** The stamps of one notification along its path (ns since epoch), from the spans of its read's trace. */
interface Stamps {
  response: bigint;
  outboxCommit: bigint;
  publish: bigint;
  confirm: bigint;
  delivery: bigint;
  txnStart: bigint;
  commit: bigint;
}

/**
 * Waits for the spans of the `expected` reads made since `fromNs`, and sums up each stage of their path. A
 * read whose notification was published more than once (a retry) counts its first publish.
 */
async function collectTimeline(
  receiver: OtlpReceiver,
  fromNs: bigint,
  expected: number,
): Promise<VipTimeline> {
  const complete = (spans: readonly ReceivedSpan[]): number =>
    spans.filter((s) => s.name === 'commit offer' && s.startNs >= fromNs).length;
  await receiver.waitForSpans((spans) => complete(spans) >= expected, 30_000).catch(() => undefined);
  const byTrace = new Map<string, Partial<Stamps>>();
  for (const s of receiver.spans) {
    if (s.startNs < fromNs) continue;
    const t = byTrace.get(s.traceId) ?? {};
    byTrace.set(s.traceId, t);
    if (s.kind === 2 && s.service === 'accountservice') t.response = s.endNs;
    else if (s.name.startsWith('create ')) t.outboxCommit = s.endNs;
    else if (s.name.startsWith('publish ') && (t.publish === undefined || s.startNs < t.publish)) {
      t.publish = s.startNs;
      t.confirm = s.endNs;
    } else if (s.name.startsWith('process ') && (t.delivery === undefined || s.startNs < t.delivery))
      t.delivery = s.startNs;
    else if (s.name === 'commit offer' && (t.commit === undefined || s.endNs < t.commit)) {
      t.txnStart = s.startNs;
      t.commit = s.endNs;
    }
  }
  const whole = [...byTrace.values()].filter((t): t is Stamps => Object.keys(t).length === 7);
  const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
  const stage: Record<TimelineStage, (t: Stamps) => number> = {
    'commit->200': (t) => ms(t.outboxCommit, t.response),
    'commit->publish': (t) => ms(t.outboxCommit, t.publish),
    'publish->confirm': (t) => ms(t.publish, t.confirm),
    'publish->delivery': (t) => ms(t.publish, t.delivery),
    'delivery->txn': (t) => ms(t.delivery, t.txnStart),
    'txn->commit': (t) => ms(t.txnStart, t.commit),
    '200->commit': (t) => ms(t.response, t.commit),
  };
  const e2e = stage['200->commit'];
  const tail = [...whole]
    .sort((a, b) => e2e(b) - e2e(a))
    .slice(0, Math.max(1, Math.ceil(whole.length / 100)));
  const figures = (f: (t: Stamps) => number): StageFigures => {
    const values = whole.map(f);
    return {
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
      maxMs: Math.max(...values),
      tailMeanMs: tail.reduce((sum, t) => sum + f(t), 0) / tail.length,
    };
  };
  const stages = Object.fromEntries(TIMELINE_STAGES.map((name) => [name, figures(stage[name])])) as Record<
    TimelineStage,
    StageFigures
  >;
  return { traced: whole.length, stages };
}

/** The timeline as a table: one line per stage. */
function timelineTable(timeline: VipTimeline): string {
  const cell = (n: number): string => n.toFixed(2).padStart(8);
  return [
    `timeline of ${timeline.traced} traced notifications (ms)    p50      p99      max   slowest 1%`,
    ...TIMELINE_STAGES.map((name) => {
      const f = timeline.stages[name];
      return `  ${name.padEnd(38)}${cell(f.p50Ms)} ${cell(f.p99Ms)} ${cell(f.maxMs)} ${cell(f.tailMeanMs)}`;
    }),
  ].join('\n');
}

/** Runs one side of the e2e measurement in a worker thread; resolves with what it measured. */
function probe(job: ProbeJob): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./lib/ts-worker.mjs', import.meta.url), {
      argv: [new URL('./lib/e2e-probe.ts', import.meta.url).href],
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

async function memoryOf(proc: BenchProcess): Promise<{ rssMiB: number; peakRssMiB: number }> {
  const status = await readFile(`/proc/${String(proc.child.pid)}/status`, 'utf8');
  const mib = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return { rssMiB: mib('VmRSS'), peakRssMiB: mib('VmHWM') };
}

/** User + system CPU time the process used so far, ms (from /proc; clock ticks of 10 ms). */
async function cpuMsOf(proc: BenchProcess): Promise<number> {
  const stat = await readFile(`/proc/${String(proc.child.pid)}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '50000' },
      rounds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '10' },
      'log-level': { type: 'string', default: 'info' },
      timeline: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
    },
  });
  const f = (n: number): string => Math.round(n).toLocaleString('en-US');
  const out: string[] = [];
  // --messages 0: the e2e latency alone.
  const messages = Number(values.messages);
  if (messages > 0) {
    const c = await benchVipConsume({
      messages,
      rounds: Number(values.rounds),
      logLevel: values['log-level'],
    });
    out.push(
      `backlog of ${f(messages)} notifications, prefetch 500, median of ${values.rounds} rounds`,
      `vipservice consume+record  ${f(c.ours.msgsPerSec)} msg/s  ${c.ours.cpuUsPerMsg.toFixed(0)} us CPU/msg  RSS ${c.ours.rssMiB.toFixed(0)} MiB (peak ${c.ours.peakRssMiB.toFixed(0)})`,
      `raw amqplib ack-only       ${f(c.raw.msgsPerSec)} msg/s  ${c.raw.cpuUsPerMsg.toFixed(0)} us CPU/msg  RSS ${c.raw.rssMiB.toFixed(0)} MiB (peak ${c.raw.peakRssMiB.toFixed(0)})`,
      `raw amqplib + LMDB floor   ${f(c.floor.msgsPerSec)} msg/s  ${c.floor.cpuUsPerMsg.toFixed(1)} us CPU/msg  RSS ${c.floor.rssMiB.toFixed(0)} MiB (peak ${c.floor.peakRssMiB.toFixed(0)})`,
      `ratio to ack-only / floor  ${c.ratio.toFixed(2)} / ${c.floorRatio.toFixed(2)}`,
      `per round (ours/floor/raw) ${c.rounds.map((r) => `${f(r.ours.msgsPerSec)}/${f(r.floor.msgsPerSec)}/${f(r.raw.msgsPerSec)}`).join('  ')}`,
      `CPU us/msg per round       ${c.rounds.map((r) => `${r.ours.cpuUsPerMsg.toFixed(1)}/${r.floor.cpuUsPerMsg.toFixed(1)}/${r.raw.cpuUsPerMsg.toFixed(1)}`).join('  ')}`,
    );
  }
  // --seconds 0: the backlog alone. --rate takes a list (100,500): one run per rate, in that order.
  if (Number(values.seconds) > 0) {
    for (const rate of values.rate.split(',').map(Number)) {
      const l = await benchVipLatency({ rate, seconds: Number(values.seconds), timeline: values.timeline });
      out.push(
        `e2e VIP read 200 -> offer at ${rate}/s  p50 ${l.p50Ms.toFixed(2)} ms  p99 ${l.p99Ms.toFixed(2)} ms  max ${l.maxMs.toFixed(2)} ms  ` +
          `(${l.samples} samples, poll ${l.pollMs.toFixed(2)} ms${l.deferred ? ', the relay deferred' : ''})`,
        ...Object.entries(l.loop ?? {}).map(
          ([name, s]) =>
            `  ${name} event-loop delay p99 ${s.p99Ms.toFixed(1)} ms  max ${s.maxMs.toFixed(1)} ms  GC so far ${s.gcMs.toFixed(0)} ms`,
        ),
        ...(l.timeline === undefined ? [] : [timelineTable(l.timeline)]),
      );
      if (values.floor) {
        const b = await benchE2eFloor(rate, Number(values.seconds));
        out.push(
          `durable floor publish -> LMDB commit at ${rate}/s  p50 ${b.p50Ms.toFixed(2)} ms  p99 ${b.p99Ms.toFixed(2)} ms  max ${b.maxMs.toFixed(2)} ms`,
        );
      }
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
