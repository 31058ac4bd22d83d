// footprint: startup time (spawn to /health 200) and idle RSS of each service, built as `npm start` runs it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startProcess } from '../lib/process.ts';
import { median } from '../lib/stats.ts';
import type { Row } from '../lib/report.ts';
import { BROKER_URL, deleteQueues } from '@goblog/testkit';

const SERVICES = [
  { name: 'configserver', port: 18888 },
  { name: 'accountservice', port: 16777 },
  { name: 'vipservice', port: 16878 },
] as const;

export async function benchFootprint(options: { rounds: number }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { name, port } of SERVICES) {
    const startups: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), `goblog-bench-${name}-`));
      const queue = `vip_queue.bench.${randomUUID()}`;
      const proc = await startProcess(
        [`services/${name}/dist/main.js`],
        {
          SERVER_PORT: String(port),
          DATA_DIR: dataDir,
          VIP_QUEUE: queue,
          AMQP_SERVER_URL: BROKER_URL,
          LOG_LEVEL: 'warn',
        },
        { url: `http://127.0.0.1:${port}/health` },
      );
      startups.push(proc.startupMs);
      rss.push(await proc.rssMiB());
      await proc.stop();
      await deleteQueues(queue);
      await rm(dataDir, { recursive: true, force: true });
    }
    rows.push({
      scenario: `footprint-${name}`,
      unit: 'ms to healthy',
      ours: median(startups),
      rssMiB: median(rss),
      notes: 'idle RSS after start',
    });
  }
  return rows;
}
