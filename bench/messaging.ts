// @goblog/messaging against a plain amqplib script doing the same work, side by side in one process:
// 200-byte JSON bodies, persistent messages with the same properties, a confirm channel with the same window,
// consumer prefetch 500, the same kind of queue (classic by default, as the package declares them).
// Rounds alternate ours / baseline (A B A B ...).
//
//   node --import tsx --conditions=source bench/messaging.ts [--messages 20000] [--rounds 3]
//     [--queue-type classic|quorum] [--no-coalesce] [--only publish|consume|end-to-end]
//
// Each scenario is exported for the bench runner: benchPublish, benchConsume, benchEndToEnd.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import amqplib, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { Type } from 'typebox';
import { connectAmqp, defineMessage, type AmqpTransport, type QueueType } from '@goblog/messaging';
import { BROKER_URL } from '@goblog/testkit';
import { median } from './lib/stats.ts';

export interface BenchOptions {
  readonly url?: string;
  /** Messages per run. Default 20 000. */
  readonly messages?: number;
  /** Rounds of (ours, baseline). Default 3. */
  readonly rounds?: number;
  /** Outstanding confirms, both sides. Default 1000. */
  readonly window?: number;
  /** Consumer prefetch, both sides. Default 500. */
  readonly prefetch?: number;
  /** Work queue type, both sides. Default 'classic' (the package's default). */
  readonly queueType?: QueueType;
  /** Ours: coalesce socket writes (the package's default). Default true. */
  readonly coalesceWrites?: boolean;
}

export interface RunResult {
  readonly msgsPerSec: number;
  /** Client CPU (user + system) per message, microseconds. */
  readonly cpuUsPerMsg: number;
  /** Publish -> handler latency, ms (end-to-end scenario only). */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** Median over rounds. */
  readonly ours: RunResult;
  readonly baseline: RunResult;
  /** ours.msgsPerSec / baseline.msgsPerSec (median of per-round ratios). */
  readonly ratio: number;
  readonly rounds: readonly { readonly ours: RunResult; readonly baseline: RunResult }[];
}

interface Settings {
  readonly url: string;
  readonly messages: number;
  readonly rounds: number;
  readonly window: number;
  readonly prefetch: number;
  readonly queueType: QueueType;
  readonly coalesceWrites: boolean;
}

const DELIVERY_LIMIT = 20;
const Body = Type.Object({ seq: Type.Integer(), sentAt: Type.Number(), pad: Type.String() });

function settingsOf(o: BenchOptions): Settings {
  return {
    url: o.url ?? BROKER_URL,
    messages: o.messages ?? 20_000,
    rounds: o.rounds ?? 3,
    window: o.window ?? 1000,
    prefetch: o.prefetch ?? 500,
    queueType: o.queueType ?? 'classic',
    coalesceWrites: o.coalesceWrites ?? true,
  };
}

/** A 200-byte JSON body carrying its send time (epoch ms, sub-ms precision). */
function body(seq: number): { seq: number; sentAt: number; pad: string } {
  const value = { seq, sentAt: performance.timeOrigin + performance.now(), pad: '' };
  const size = Buffer.byteLength(JSON.stringify(value));
  return { ...value, pad: 'x'.repeat(Math.max(0, 200 - size)) };
}

const now = (): number => performance.timeOrigin + performance.now();

function workQueueOptions(queue: string, queueType: QueueType): amqplib.Options.AssertQueue {
  return queueType === 'classic' ? { durable: true } : { durable: true, arguments: quorumArgs(queue) };
}

function quorumArgs(queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': DELIVERY_LIMIT,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': `${queue}.dlq`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Baseline: what a careful plain amqplib script does.

async function rawConnect(url: string): Promise<ChannelModel> {
  const c = await amqplib.connect(url);
  c.on('error', () => undefined);
  return c;
}

async function rawDeclare(conn: ChannelModel, queue: string, queueType: QueueType): Promise<void> {
  const ch = await conn.createChannel();
  await ch.assertQueue(`${queue}.dlq`, { durable: true });
  await ch.assertQueue(`${queue}.retry`, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  });
  await ch.assertQueue(queue, workQueueOptions(queue, queueType));
  await ch.close();
}

/** Publishes n messages with at most `window` unconfirmed, honouring drain. */
function rawPublishMany(ch: ConfirmChannel, queue: string, n: number, window: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    let writable = true;
    ch.on('drain', () => {
      writable = true;
      pump();
    });
    const onConfirm = (err: unknown): void => {
      if (err) {
        reject(err instanceof Error ? err : new Error('publish nacked'));
        return;
      }
      inflight--;
      confirmed++;
      if (confirmed === n) resolve();
      else pump();
    };
    function pump(): void {
      while (writable && inflight < window && sent < n) {
        const content = Buffer.from(JSON.stringify(body(sent)));
        sent++;
        inflight++;
        writable = ch.sendToQueue(
          queue,
          content,
          {
            persistent: true,
            mandatory: true,
            contentType: 'application/json',
            messageId: randomUUID(),
            timestamp: Math.floor(Date.now() / 1000),
            type: 'BenchMessage',
            appId: 'bench',
          },
          onConfirm,
        );
      }
    }
    pump();
  });
}

/** Consumes until n messages are handled; returns the publish -> handler latencies. */
async function rawConsume(
  conn: ChannelModel,
  queue: string,
  n: number,
  prefetch: number,
  onStart?: () => void,
): Promise<number[]> {
  const ch = await conn.createChannel();
  await ch.prefetch(prefetch);
  const latencies: number[] = [];
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const { consumerTag } = await ch.consume(
    queue,
    (msg: ConsumeMessage | null) => {
      if (msg === null) return;
      const v = JSON.parse(msg.content.toString('utf8')) as { sentAt: number };
      latencies.push(now() - v.sentAt);
      ch.ack(msg);
      if (++handled === n) done();
    },
    { noAck: false },
  );
  onStart?.();
  await finished;
  await ch.cancel(consumerTag);
  await ch.close();
  return latencies;
}

async function rawCleanup(conn: ChannelModel, queue: string): Promise<void> {
  const ch = await conn.createChannel();
  for (const q of [queue, `${queue}.retry`, `${queue}.dlq`]) await ch.deleteQueue(q);
  await ch.close();
}

// ---------------------------------------------------------------------------------------------------------
// Ours.

async function oursConnect(s: Settings, name: string): Promise<AmqpTransport> {
  return connectAmqp({
    url: s.url,
    connectionName: name,
    appId: 'bench',
    confirmWindow: s.window,
    queueType: s.queueType,
    coalesceWrites: s.coalesceWrites,
  });
}

function oursType(queue: string) {
  return defineMessage({ name: 'BenchMessage', schema: Body, destination: { kind: 'queue', queue } });
}

/** Publishes n messages keeping `window` publishes outstanding. */
function oursPublishMany(t: AmqpTransport, queue: string, n: number, window: number): Promise<void> {
  const type = oursType(queue);
  const pub = t.createPublisher();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    const onOk = (): void => {
      inflight--;
      confirmed++;
      if (confirmed === n) resolve();
      else pump();
    };
    function pump(): void {
      while (inflight < window && sent < n) {
        inflight++;
        pub.publish(type, body(sent++)).then(onOk, reject);
      }
    }
    pump();
  });
}

async function oursConsume(
  t: AmqpTransport,
  queue: string,
  n: number,
  prefetch: number,
  onStart?: () => void,
): Promise<number[]> {
  const latencies: number[] = [];
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sub = await t.subscribeToQueue(
    oursType(queue),
    (v) => {
      latencies.push(now() - v.sentAt);
      if (++handled === n) done();
      return Promise.resolve();
    },
    { consumerName: 'bench', prefetch },
  );
  onStart?.();
  await finished;
  await sub.close();
  return latencies;
}

// ---------------------------------------------------------------------------------------------------------
// Measurement.

async function measure(n: number, work: () => Promise<number[] | undefined>): Promise<RunResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const latencies = await work();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const result: RunResult = { msgsPerSec: n / elapsed, cpuUsPerMsg: (cpu.user + cpu.system) / n };
  if (!latencies || latencies.length === 0) return result;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { ...result, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function medianResult(runs: RunResult[]): RunResult {
  const pick = (f: (r: RunResult) => number | undefined): number | undefined => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const p50Ms = pick((r) => r.p50Ms);
  const p99Ms = pick((r) => r.p99Ms);
  return {
    msgsPerSec: pick((r) => r.msgsPerSec) ?? NaN,
    cpuUsPerMsg: pick((r) => r.cpuUsPerMsg) ?? NaN,
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
  };
}

type Side = (s: Settings, queue: string) => Promise<RunResult>;

async function scenario(name: string, s: Settings, ours: Side, baseline: Side): Promise<ScenarioResult> {
  const rounds: { ours: RunResult; baseline: RunResult }[] = [];
  for (let r = 0; r < s.rounds; r++) {
    const o = await ours(s, `bench.${name}.ours.${randomUUID().slice(0, 8)}`);
    const b = await baseline(s, `bench.${name}.raw.${randomUUID().slice(0, 8)}`);
    rounds.push({ ours: o, baseline: b });
  }
  return {
    scenario: name,
    ours: medianResult(rounds.map((r) => r.ours)),
    baseline: medianResult(rounds.map((r) => r.baseline)),
    ratio: median(rounds.map((r) => r.ours.msgsPerSec / r.baseline.msgsPerSec)),
    rounds,
  };
}

/** Publish throughput: n confirmed publishes to a work queue, window outstanding. */
export async function benchPublish(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  return scenario(
    'publish',
    s,
    async (s, queue) => {
      const t = await oursConnect(s, 'bench-publish');
      try {
        await oursPublishMany(t, queue, 100, s.window); // declares the queue, warms up
        return await measure(s.messages, async () => {
          await oursPublishMany(t, queue, s.messages, s.window);
          return undefined;
        });
      } finally {
        await t.close();
        const c = await rawConnect(s.url);
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const c = await rawConnect(s.url);
      try {
        await rawDeclare(c, queue, s.queueType);
        const ch = await c.createConfirmChannel();
        ch.on('error', () => undefined);
        await rawPublishMany(ch, queue, 100, s.window);
        const r = await measure(s.messages, async () => {
          await rawPublishMany(ch, queue, s.messages, s.window);
          return undefined;
        });
        await ch.close();
        return r;
      } finally {
        await rawCleanup(c, queue);
        await c.close();
      }
    },
  );
}

/** Consume throughput: drain n messages already in the queue, prefetch 500, ack each. */
export async function benchConsume(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  const fill = async (c: ChannelModel, queue: string): Promise<void> => {
    await rawDeclare(c, queue, s.queueType);
    const ch = await c.createConfirmChannel();
    await rawPublishMany(ch, queue, s.messages, s.window);
    await ch.close();
  };
  return scenario(
    'consume',
    s,
    async (s, queue) => {
      const c = await rawConnect(s.url);
      const t = await oursConnect(s, 'bench-consume');
      try {
        await fill(c, queue);
        return await measure(s.messages, async () => {
          await oursConsume(t, queue, s.messages, s.prefetch);
          return undefined;
        });
      } finally {
        await t.close();
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const c = await rawConnect(s.url);
      const consumer = await rawConnect(s.url);
      try {
        await fill(c, queue);
        return await measure(s.messages, async () => {
          await rawConsume(consumer, queue, s.messages, s.prefetch);
          return undefined;
        });
      } finally {
        await consumer.close();
        await rawCleanup(c, queue);
        await c.close();
      }
    },
  );
}

/** Publish and consume at once (separate connections): throughput and publish -> handler latency. */
export async function benchEndToEnd(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  return scenario(
    'end-to-end',
    s,
    async (s, queue) => {
      const producer = await oursConnect(s, 'bench-e2e-producer');
      const consumer = await oursConnect(s, 'bench-e2e-consumer');
      try {
        await oursPublishMany(producer, queue, 1, s.window); // declare
        await oursConsume(consumer, queue, 1, s.prefetch);
        return await measure(s.messages, async () => {
          let started!: () => void;
          const ready = new Promise<void>((resolve) => (started = resolve));
          const consumed = oursConsume(consumer, queue, s.messages, s.prefetch, () => {
            started();
          });
          await ready;
          await oursPublishMany(producer, queue, s.messages, s.window);
          return consumed;
        });
      } finally {
        await Promise.all([producer.close(), consumer.close()]);
        const c = await rawConnect(s.url);
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const producer = await rawConnect(s.url);
      const consumer = await rawConnect(s.url);
      try {
        await rawDeclare(producer, queue, s.queueType);
        const ch = await producer.createConfirmChannel();
        return await measure(s.messages, async () => {
          let started!: () => void;
          const ready = new Promise<void>((resolve) => (started = resolve));
          const consumed = rawConsume(consumer, queue, s.messages, s.prefetch, () => {
            started();
          });
          await ready;
          await rawPublishMany(ch, queue, s.messages, s.window);
          return consumed;
        });
      } finally {
        await consumer.close();
        await rawCleanup(producer, queue);
        await producer.close();
      }
    },
  );
}

function fmt(r: RunResult): string {
  const lat =
    r.p50Ms === undefined ? '' : `  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${(r.p99Ms ?? NaN).toFixed(1)} ms`;
  return `${Math.round(r.msgsPerSec).toString().padStart(7)} msg/s  ${r.cpuUsPerMsg.toFixed(1).padStart(5)} µs CPU/msg${lat}`;
}

export function report(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.scenario}  (ratio ours/baseline ${r.ratio.toFixed(2)})`);
    lines.push(`  ours      ${fmt(r.ours)}`);
    lines.push(`  baseline  ${fmt(r.baseline)}`);
    r.rounds.forEach((x, i) => {
      lines.push(
        `    round ${i + 1}: ours ${Math.round(x.ours.msgsPerSec)} / baseline ${Math.round(x.baseline.msgsPerSec)} msg/s`,
      );
    });
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const text = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const arg = (name: string): number | undefined => {
    const v = Number(text(name) ?? NaN);
    return Number.isFinite(v) ? v : undefined;
  };
  const queueType = text('queue-type');
  if (queueType !== undefined && queueType !== 'classic' && queueType !== 'quorum') {
    throw new Error(`--queue-type must be classic or quorum, got ${queueType}`);
  }
  const options: BenchOptions = {
    ...(arg('messages') === undefined ? {} : { messages: arg('messages') }),
    ...(arg('rounds') === undefined ? {} : { rounds: arg('rounds') }),
    ...(queueType === undefined ? {} : { queueType }),
    ...(process.argv.includes('--no-coalesce') ? { coalesceWrites: false } : {}),
  };
  const scenarios = { publish: benchPublish, consume: benchConsume, 'end-to-end': benchEndToEnd };
  const only = text('only');
  const chosen = Object.entries(scenarios).filter(([name]) => only === undefined || name === only);
  if (chosen.length === 0) throw new Error(`--only must be one of ${Object.keys(scenarios).join(', ')}`);
  const results: ScenarioResult[] = [];
  for (const [, run] of chosen) results.push(await run(options));
  process.stdout.write(`${report(results)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
