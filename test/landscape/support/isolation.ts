// What keeps one landscape test apart from everything else on the shared broker and disk: a VIP queue, a
// config bus and a data folder of its own, all removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteBus, deleteQueues, uniqueName } from '@goblog/testkit';

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
  const id = uniqueName(`landscape.${label}`);
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
      await deleteQueues(queue).catch(() => undefined);
      await deleteBus(bus).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
