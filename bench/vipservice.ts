// The vipservice under load, built as `npm start` runs it (services/*/dist): the suite's rows and the command
// line. Each scenario lives in bench/vipservice/:
// - consume.ts: consume-and-record throughput through a backlog, against a raw ack-only consumer (the
//   ceiling) and one doing the same durable LMDB work and nothing else (the floor, consume-baselines.ts);
// - latency.ts: e2e latency from the accountservice's 200 for a VIP read to the offer's update on
//   GET /offers/{id}, at a steady rate (open loop); e2e-floor.ts: the durable floor beside it;
// - timeline.ts: with tracing on, where each stage's time went.
//
//   npm run build && node --import tsx bench/vipservice.ts [--messages 50000] [--rounds 3] [--rate 100[,500]]
//     [--seconds 10] [--timeline] [--floor] [--log-level info]
//   --messages 0 runs the e2e latency alone; --timeline runs it with tracing on and prints where each stage's
//   time went (the outbox commit, the relay's publish, the confirm, the delivery, the LMDB commit); --floor
//   runs the durable floor after each rate.
//
// Exported for the bench runner: benchVipservice(settings) -> Row[].
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Row } from './lib/report.ts';
import { benchVipConsume } from './vipservice/consume.ts';
import type { ConsumeRound } from './vipservice/consume.ts';
import { benchE2eFloor } from './vipservice/e2e-floor.ts';
import { benchVipLatency } from './vipservice/latency.ts';
import type { VipLatencyResult } from './vipservice/latency.ts';
import { timelineTable } from './vipservice/timeline.ts';

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
  const spread = (side: keyof ConsumeRound): readonly [number, number] => {
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
      notes: `accountservice 200 -> offer updated, ${latency.samples} samples, observed in the store; ${floorNote(floor)}`,
    },
    {
      scenario: 'vip-e2e-500',
      unit: 'reads/s',
      ours: highRate,
      p50Ms: high.p50Ms,
      p99Ms: high.p99Ms,
      notes: `target p99 <= 10 ms; ${high.samples} samples, max ${high.maxMs.toFixed(1)} ms; ${floorNote(highFloor)}`,
    },
  ];
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
          `(${l.samples} samples, ${l.looks} looks at the store${l.deferred ? ', the relay deferred' : ''})`,
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
