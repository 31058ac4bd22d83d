// What keeps one landscape test apart from everything else on the shared broker and disk: a VIP queue, a
// config bus and a data folder of its own, all removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, plainChannel } from '../../support/broker.ts';

export interface Isolation {
  /** Goes into VIP_QUEUE; `<queue>.retry` and `<queue>.dlq` follow from it. */
  readonly queue: string;
  /** Goes into CONFIG_EVENT_BUS, so no other test's refresh events reach these services. */
  readonly bus: string;
  readonly dataDir: string;
  /** The environment every service of the test gets. */
  readonly env: Record<string, string>;
  /** Deletes the queues and the bus exchange and removes the data folder; best effort, safe to call twice. */
  cleanup(): Promise<void>;
}

export async function isolate(label: string): Promise<Isolation> {
  const id = `landscape.${label}.${randomBytes(4).toString('hex')}`;
  const queue = `vip_queue.${id}`;
  const bus = `springCloudBus.${id}`;
  const dataDir = await mkdtemp(join(tmpdir(), `goblog-landscape-${label}-`));
  return {
    queue,
    bus,
    dataDir,
    env: {
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      CONFIG_EVENT_BUS: bus,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_FORMAT: 'json',
    },
    async cleanup() {
      await deleteTopology([queue, `${queue}.retry`, `${queue}.dlq`], bus).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteTopology(queues: readonly string[], exchange: string): Promise<void> {
  const { connection } = await plainChannel();
  try {
    // A channel per operation: a failed delete closes its channel, not the others'.
    for (const q of queues) {
      const ch = await connection.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await connection.createChannel();
    ch.on('error', () => undefined);
    await ch.deleteExchange(exchange).catch(() => undefined);
    await ch.close().catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
