// The timeline of vip-e2e (`--timeline`): where the time between a VIP read's 200 and its offer's commit
// went, stage by stage, from the spans both services export to this process while the latency runs.
import type { OtlpReceiver, ReceivedSpan } from '@goblog/testkit';
import { percentile } from '../lib/stats.ts';

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
export async function collectTimeline(
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
export function timelineTable(timeline: VipTimeline): string {
  const cell = (n: number): string => n.toFixed(2).padStart(8);
  return [
    `timeline of ${timeline.traced} traced notifications (ms)    p50      p99      max   slowest 1%`,
    ...TIMELINE_STAGES.map((name) => {
      const f = timeline.stages[name];
      return `  ${name.padEnd(38)}${cell(f.p50Ms)} ${cell(f.p99Ms)} ${cell(f.maxMs)} ${cell(f.tailMeanMs)}`;
    }),
  ].join('\n');
}
