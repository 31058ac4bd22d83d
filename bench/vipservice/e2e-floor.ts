// The durable floor of vip-e2e: the broker's and the store's commits alone at the same rate, no services,
// so that a latency figure can be read beside what the machine itself allows at that moment.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteQueues } from '@goblog/testkit';
import { startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import { percentile } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';
import type { VipLatencyResult } from './latency.ts';

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
      looks: 0,
      deferred: false,
    };
  } finally {
    await proc?.stop();
    await deleteQueues(queue);
    await rm(dataDir, { recursive: true, force: true });
  }
}
