// publish, consume and publish->handler latency: @goblog/messaging against plain amqplib scripts doing the
// same work (200-byte JSON, confirm window 1000, prefetch 500), alternating; see bench/messaging/. The target
// is the messaging package's: at least 0.95x raw amqplib.
import { benchConsume } from '../messaging/consume.ts';
import { benchEndToEnd } from '../messaging/end-to-end.ts';
import type { ScenarioResult } from '../messaging/measure.ts';
import { benchPublish } from '../messaging/publish.ts';
import type { Row } from '../lib/report.ts';
import { range } from '../lib/stats.ts';

const TARGET = 0.95;

/** One scenario's row: medians, with each side's min-max over the rounds. */
function rowOf(scenario: string, r: ScenarioResult): Row {
  return {
    scenario,
    unit: 'msg/s',
    ours: r.ours.msgsPerSec,
    oursRange: range(r.rounds.map((x) => x.ours.msgsPerSec)),
    baseline: r.baseline.msgsPerSec,
    baselineRange: range(r.rounds.map((x) => x.baseline.msgsPerSec)),
    baselineName: 'raw amqplib',
    cpuUs: r.ours.cpuUsPerMsg,
    baselineCpuUs: r.baseline.cpuUsPerMsg,
  };
}

export async function benchMessaging(options: { rounds: number; messages: number }): Promise<Row[]> {
  const publish = await benchPublish(options);
  const consume = await benchConsume(options);
  const e2e = await benchEndToEnd(options);
  const rawLatency = `raw p50/p99 ${e2e.baseline.p50Ms?.toFixed(1) ?? '-'}/${e2e.baseline.p99Ms?.toFixed(1) ?? '-'} ms`;
  return [
    { ...rowOf('publish', publish), target: TARGET },
    { ...rowOf('consume', consume), target: TARGET },
    {
      ...rowOf('publish-to-handler', e2e),
      p50Ms: e2e.ours.p50Ms,
      p99Ms: e2e.ours.p99Ms,
      notes: rawLatency,
    },
  ];
}
