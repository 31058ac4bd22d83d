// footprint: startup time (spawn to /health 200) and idle memory of each service, built as `npm start` runs it:
// the resident set (VmRSS) and the process's own part of it (RssAnon: heap, stacks, buffers; not the node
// binary's pages nor a memory-mapped store's, which are RssFile), read from /proc once the service has been
// idle a moment, beside the same figures of a bare node process (the floor no service goes below).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startProcess, statusMiB } from '../lib/process.ts';
import { median, range } from '../lib/stats.ts';
import type { Row } from '../lib/report.ts';
import { BROKER_URL, deleteQueues } from '@goblog/testkit';

const SERVICES = [
  { name: 'configserver', port: 18888 },
  { name: 'accountservice', port: 16777 },
  { name: 'vipservice', port: 16878 },
  { name: 'landscape', port: 18080 },
] as const;

/** The targets: idle RSS and anonymous memory at most these, healthy within about a second. */
const TARGET_RSS_MIB = 70;
const TARGET_ANON_MIB = 40;
const TARGET_STARTUP_MS = 1000;

/** How long a started service sits idle before its memory is read (its startup work settled). */
const IDLE_MS = 2000;

interface Memory {
  readonly rss: number;
  readonly anon: number;
  readonly file: number;
}

async function memoryMiB(pid: number | undefined): Promise<Memory> {
  const m = await statusMiB(pid, ['VmRSS', 'RssAnon', 'RssFile']);
  return { rss: m.VmRSS, anon: m.RssAnon, file: m.RssFile };
}

/** A bare node process (`node -e 'setInterval(() => {}, 1000)'`), idle as long as a service is. */
async function bareNodeMiB(): Promise<Memory> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return await memoryMiB(child.pid);
  } finally {
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  }
}

const show = (m: Memory): string =>
  `RSS ${m.rss.toFixed(0)} = RssAnon ${m.anon.toFixed(0)} + RssFile ${m.file.toFixed(0)} MiB`;

export async function benchFootprint(options: { rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  const bare = await bareNodeMiB();
  for (const { name, port } of SERVICES) {
    const startups: number[] = [];
    const rss: number[] = [];
    const anon: number[] = [];
    const file: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), `goblog-bench-${name}-`));
      const queue = `vip_queue.bench.${randomUUID()}`;
      const proc = await startProcess(
        [`services/${name}/dist/main.js`],
        {
          SERVER_PORT: String(port),
          DATA_DIR: dataDir,
          VIP_QUEUE: queue,
          WATCH_QUEUES: queue,
          AMQP_SERVER_URL: BROKER_URL,
          LOG_LEVEL: 'warn',
        },
        { url: `http://127.0.0.1:${port}/health` },
      );
      startups.push(proc.startupMs);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const memory = await memoryMiB(proc.child.pid);
      rss.push(memory.rss);
      anon.push(memory.anon);
      file.push(memory.file);
      await proc.stop();
      await deleteQueues(queue);
      await rm(dataDir, { recursive: true, force: true });
    }
    const [lowAnon, highAnon] = range(anon);
    const verdict = (value: number, target: number): string => (value <= target ? 'ok' : 'OVER');
    rows.push({
      scenario: `footprint-${name}`,
      unit: 'ms to healthy',
      ours: median(startups),
      oursRange: range(startups),
      rssMiB: median(rss),
      notes:
        `idle ${String(IDLE_MS / 1000)} s after healthy: RSS target <= ${String(TARGET_RSS_MIB)} MiB ` +
        `${verdict(median(rss), TARGET_RSS_MIB)}; RssAnon ${median(anon).toFixed(0)} MiB ` +
        `(${lowAnon.toFixed(0)}-${highAnon.toFixed(0)}), target <= ${String(TARGET_ANON_MIB)} ` +
        `${verdict(median(anon), TARGET_ANON_MIB)}; RssFile ${median(file).toFixed(0)} MiB; ` +
        `healthy target ~${String(TARGET_STARTUP_MS)} ms ${verdict(median(startups), TARGET_STARTUP_MS * 1.2)}; ` +
        `bare node: ${show(bare)}`,
    });
  }
  return rows;
}
