// tracing-*: what OpenTelemetry costs at 100% sampling, side by side with it off in the same run. Two
// accountservices (built, as `npm start` runs them), one exporting every span over OTLP/HTTP (protobuf, the
// default) to a receiver in this process, one without tracing, under the same load, alternating; then a
// vipservice working through a backlog, with and without tracing, alternating.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BROKER_URL, deleteQueues, startOtlpReceiver } from '@goblog/testkit';
import type { OtlpReceiver } from '@goblog/testkit';
import { load } from '../lib/load.ts';
import type { LoadResult } from '../lib/load.ts';
import { startProcess } from '../lib/process.ts';
import type { BenchProcess } from '../lib/process.ts';
import type { Row } from '../lib/report.ts';
import { median, range } from '../lib/stats.ts';
import { until } from '../lib/wait.ts';
import { consumeWithVipservice } from '../vipservice/consume.ts';
import type { ConsumeRun } from '../vipservice/consume.ts';
import { countNotifications } from './http.ts';

export interface TracingBenchOptions {
  readonly rounds: number;
  readonly durationSec: number;
  readonly connections: number;
  readonly messages: number;
}

/** The environment that switches tracing on, every trace sampled, exported to `receiver`. */
function tracingOn(receiver: OtlpReceiver): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: 'always_on' };
}

async function startAccountservice(
  port: number,
  dataDir: string,
  queue: string,
  env: Record<string, string>,
): Promise<BenchProcess> {
  return startProcess(
    ['services/accountservice/dist/main.js'],
    {
      SERVER_PORT: String(port),
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_LEVEL: 'warn',
      ...env,
    },
    { url: `http://127.0.0.1:${port}/health` },
  );
}

interface Side {
  readonly proc: BenchProcess;
  readonly port: number;
  readonly counter: Awaited<ReturnType<typeof countNotifications>>;
  expected: number;
}

export async function benchTracing(options: TracingBenchOptions): Promise<Row[]> {
  const receiver = await startOtlpReceiver({ decode: false });
  const dataDir = await mkdtemp(join(tmpdir(), 'goblog-bench-tracing-'));
  const queues = [`vip_queue.bench.${randomUUID()}`, `vip_queue.bench.${randomUUID()}`] as const;
  const sides: Side[] = [];
  try {
    for (const [i, env] of [tracingOn(receiver), {}].entries()) {
      const port = 16780 + i;
      const proc = await startAccountservice(port, join(dataDir, String(i)), queues[i] ?? '', env);
      sides.push({ proc, port, counter: await countNotifications(queues[i] ?? ''), expected: 0 });
    }
    const [on, off] = sides as [Side, Side];
    const run = async (side: Side, id: string, durationSec = options.durationSec): Promise<LoadResult> => {
      const result = await load(`http://127.0.0.1:${side.port}/accounts/${id}`, {
        ...options,
        durationSec,
        serverPid: side.proc.child.pid,
      });
      if (id === '10000') {
        // Each VIP round's notifications are delivered before the next round starts (the relay catches up
        // after a burst), so that neither side's catch-up runs during the other's round.
        side.expected += result.ok;
        await until(() => side.counter.count() >= side.expected, 120_000, 50);
        side.expected = side.counter.count();
      }
      return result;
    };
    for (const side of sides) {
      await run(side, '10001', 1);
      await run(side, '10000', 1);
    }
    const plain = { on: [] as LoadResult[], off: [] as LoadResult[] };
    const vip = { on: [] as LoadResult[], off: [] as LoadResult[] };
    for (let round = 0; round < options.rounds; round++) {
      plain.on.push(await run(on, '10001'));
      plain.off.push(await run(off, '10001'));
      vip.on.push(await run(on, '10000'));
      vip.off.push(await run(off, '10000'));
    }
    const consume = { on: [] as ConsumeRun[], off: [] as ConsumeRun[] };
    for (let round = 0; round < options.rounds; round++) {
      consume.on.push(await consumeWithVipservice(options.messages, 500, 'info', tracingOn(receiver)));
      consume.off.push(await consumeWithVipservice(options.messages, 500, 'info'));
    }
    return [
      httpRow('tracing-account', 'GET /accounts/10001', plain),
      httpRow('tracing-vip-read', 'GET /accounts/10000 (create + publish spans)', vip),
      consumeRow(options.messages, consume, receiver),
    ];
  } finally {
    for (const side of sides) {
      await side.proc.stop();
      await side.counter.close().catch(() => undefined);
    }
    for (const queue of queues) await deleteQueues(queue).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await receiver.close();
  }
}

function httpRow(scenario: string, what: string, runs: { on: LoadResult[]; off: LoadResult[] }): Row {
  const rate = (r: LoadResult): number => r.requestsPerSecond;
  const cpu = (r: LoadResult): number => r.cpuUsPerRequest ?? Number.NaN;
  const cpuOn = median(runs.on.map(cpu));
  const cpuOff = median(runs.off.map(cpu));
  return {
    scenario,
    unit: 'req/s',
    ours: median(runs.on.map(rate)),
    baseline: median(runs.off.map(rate)),
    baselineName: 'tracing off',
    oursRange: range(runs.on.map(rate)),
    baselineRange: range(runs.off.map(rate)),
    p50Ms: median(runs.on.map((r) => r.p50Ms)),
    p99Ms: median(runs.on.map((r) => r.p99Ms)),
    cpuUs: cpuOn,
    baselineCpuUs: cpuOff,
    notes: `${what}, 100% sampled, OTLP/HTTP protobuf; CPU per read ${cpuOn.toFixed(0)} us traced vs ${cpuOff.toFixed(0)} us (+${(cpuOn - cpuOff).toFixed(0)} us)`,
  };
}

function consumeRow(
  messages: number,
  runs: { on: ConsumeRun[]; off: ConsumeRun[] },
  receiver: OtlpReceiver,
): Row {
  const cpuOn = median(runs.on.map((r) => r.cpuUsPerMsg));
  const cpuOff = median(runs.off.map((r) => r.cpuUsPerMsg));
  return {
    scenario: 'tracing-notification',
    unit: 'msg/s',
    ours: median(runs.on.map((r) => r.msgsPerSec)),
    baseline: median(runs.off.map((r) => r.msgsPerSec)),
    baselineName: 'tracing off',
    oursRange: range(runs.on.map((r) => r.msgsPerSec)),
    baselineRange: range(runs.off.map((r) => r.msgsPerSec)),
    cpuUs: cpuOn,
    baselineCpuUs: cpuOff,
    rssMiB: median(runs.on.map((r) => r.rssMiB)),
    notes:
      `vipservice backlog of ${messages} (process + commit spans); CPU per notification ${cpuOn.toFixed(0)} us traced ` +
      `vs ${cpuOff.toFixed(0)} us (+${(cpuOn - cpuOff).toFixed(0)} us); ${receiver.requests} OTLP exports, ` +
      `${(receiver.bytes / 1e6).toFixed(1)} MB received in the run`,
  };
}
