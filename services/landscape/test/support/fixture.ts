// What every landscape test sets up around the page: a work queue and a config bus of its own, one data_dir
// that its services share (one store, as instances on one host do), the real service processes on that
// queue and bus, the landscape itself, and a cleanup that leaves nothing behind on the broker or on disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteBus, deleteQueues, freePort, startService, uniqueName } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { startLandscape } from './landscape.ts';
import type { RunningLandscape } from './landscape.ts';

export interface LandscapeFixture {
  readonly queue: string;
  readonly bus: string;
  /** Starts a service process on a free port, on the fixture's queue, bus and store; killed at cleanup. */
  service(name: 'accountservice' | 'vipservice'): Promise<RunningService>;
  /** The landscape on the fixture's queue, bus and broker (see startLandscape); closed at cleanup. */
  landscape(options?: {
    readonly amqpUrl?: string;
    readonly env?: Record<string, string>;
  }): Promise<RunningLandscape>;
  /** Kills the services, closes the landscapes, deletes the queues, the bus and the data_dir. */
  cleanup(): Promise<void>;
}

/** Where the fixture's services run, and how its queues and bus are deleted there. */
export interface FixtureBroker {
  /** amqp_server_url of every service and of the landscape (several comma-separated on a cluster). */
  readonly url: string;
  deleteQueues(queue: string): Promise<void>;
  deleteBus(bus: string): Promise<void>;
}

/** The shared broker on 5672 (the suite's vhost). */
const SINGLE_BROKER: FixtureBroker = { url: BROKER_URL, deleteQueues, deleteBus };

export function landscapeFixture(label: string, broker: FixtureBroker = SINGLE_BROKER): LandscapeFixture {
  const id = uniqueName(label);
  const queue = `vip_queue.${id}`;
  const bus = `springCloudBus.${id}`;
  let dataDir: Promise<string> | undefined;
  const services: RunningService[] = [];
  const landscapes: RunningLandscape[] = [];
  return {
    queue,
    bus,
    async service(name) {
      dataDir ??= mkdtemp(join(tmpdir(), `goblog-${label.replaceAll('.', '-')}-`));
      const env = {
        DATA_DIR: await dataDir,
        VIP_QUEUE: queue,
        CONFIG_EVENT_BUS: bus,
        AMQP_SERVER_URL: broker.url,
      };
      const service = await startService(name, { port: await freePort(), env, timeoutMs: 60_000 });
      services.push(service);
      return service;
    },
    async landscape(options = {}) {
      const landscape = await startLandscape({ queue, bus, transportUrl: broker.url, ...options });
      landscapes.push(landscape);
      return landscape;
    },
    async cleanup() {
      await Promise.all(services.map((s) => s.kill()));
      await Promise.all(landscapes.map((l) => l.close()));
      await broker.deleteQueues(queue);
      await broker.deleteBus(bus);
      if (dataDir) await rm(await dataDir, { recursive: true, force: true });
    },
  };
}
