// publish, consume and publish->handler latency: @goblog/messaging against plain amqplib scripts doing the
// same work (200-byte JSON, confirm window 1000, prefetch 500), alternating; see bench/messaging/.
import { benchConsume } from '../messaging/consume.ts';
import { benchEndToEnd } from '../messaging/end-to-end.ts';
import type { ScenarioResult } from '../messaging/measure.ts';
import { benchPublish } from '../messaging/publish.ts';
import type { Row } from '../lib/report.ts';

const cpu = (r: ScenarioResult): string =>
  `CPU ${r.ours.cpuUsPerMsg.toFixed(1)} vs ${r.baseline.cpuUsPerMsg.toFixed(1)} us/msg`;

export async function benchMessaging(options: { rounds: number; messages: number }): Promise<Row[]> {
  const publish = await benchPublish(options);
  const consume = await benchConsume(options);
  const e2e = await benchEndToEnd(options);
  return [
    {
      scenario: 'publish',
      unit: 'msg/s',
      ours: publish.ours.msgsPerSec,
      baseline: publish.baseline.msgsPerSec,
      baselineName: 'raw amqplib',
      target: 0.9,
      notes: cpu(publish),
    },
    {
      scenario: 'consume',
      unit: 'msg/s',
      ours: consume.ours.msgsPerSec,
      baseline: consume.baseline.msgsPerSec,
      baselineName: 'raw amqplib',
      target: 0.9,
      notes: cpu(consume),
    },
    {
      scenario: 'publish-to-handler',
      unit: 'msg/s',
      ours: e2e.ours.msgsPerSec,
      baseline: e2e.baseline.msgsPerSec,
      baselineName: 'raw amqplib',
      p50Ms: e2e.ours.p50Ms,
      p99Ms: e2e.ours.p99Ms,
      notes: `${cpu(e2e)}; raw p50/p99 ${e2e.baseline.p50Ms?.toFixed(1) ?? '-'}/${e2e.baseline.p99Ms?.toFixed(1) ?? '-'} ms`,
    },
  ];
}
