// The two baselines of vip-consume, each a separate node process through the same backlog as the vipservice
// and timed over the same window: the ceiling (RAW_CONSUMER, a raw amqplib consumer that only acks) and the
// floor (bench/baselines/lmdb-consumer.ts, the same durable LMDB work as the service and nothing else).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteQueues } from '@goblog/testkit';
import { cpuSecondsOf } from '../lib/cpu.ts';
import { memoryOf, startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import { until } from '../lib/wait.ts';
import type { ConsumeRun } from './consume.ts';
import { fillBacklog } from './notifications.ts';

export function consumeRaw(messages: number, prefetch: number): Promise<ConsumeRun> {
  return consumeWithProgram(messages, (queue, warm) => [
    ['--input-type=module', '-e', RAW_CONSUMER, queue, String(messages), String(prefetch), String(warm)],
  ]);
}

/** The floor: bench/baselines/lmdb-consumer.ts, in a data folder of its own. */
export async function consumeLmdbFloor(messages: number, prefetch: number): Promise<ConsumeRun> {
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
    const pid = proc.child.pid;
    await until(() => lines.includes('warm'), 600_000);
    const started = performance.now();
    const cpuBefore = await cpuSecondsOf(pid);
    await until(() => lines.includes('done'), 600_000);
    const seconds = (performance.now() - started) / 1000;
    const cpuUsPerMsg = (((await cpuSecondsOf(pid)) - cpuBefore) * 1e6) / (messages - warm);
    return { msgsPerSec: (messages - warm) / seconds, cpuUsPerMsg, ...(await memoryOf(pid)) };
  } finally {
    await proc?.stop();
    await deleteQueues(queue);
  }
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
