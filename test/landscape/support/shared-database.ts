// Services of a landscape that shares one PostgreSQL database, each with a data_dir of its own (as on
// separate hosts), on one test queue and bus; and what the tests check about that database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BROKER_URL,
  deleteBus,
  deleteQueues,
  freePort,
  queryRows,
  startService,
  uniqueName,
} from '@goblog/testkit';
import type { RunningService, ServiceName } from '@goblog/testkit';

export interface Hosts {
  readonly queue: string;
  /** Starts a service on a fresh port (or `port`) with a data_dir of its own. */
  start(name: ServiceName, port?: number): Promise<RunningService>;
  /** kill -9 of `service`, then the same service on its port and data_dir. */
  restart(service: RunningService): Promise<RunningService>;
  /** Processes that exited although no one asked them to. */
  unexpectedExits(): readonly string[];
  /** Every process started (for checking their log lines). */
  everStarted(): readonly RunningService[];
  close(): Promise<void>;
}

export async function startHosts(label: string, databaseUrl: string): Promise<Hosts> {
  const id = uniqueName(`pg.${label}`);
  const queue = `vip_queue.${id}`;
  const bus = `springCloudBus.${id}`;
  const root = await mkdtemp(join(tmpdir(), `goblog-${label}-`));
  const started: RunningService[] = [];
  const intended = new Set<RunningService>();
  const exits: string[] = [];
  const dirs = new Map<number, string>();
  let hosts = 0;

  const start = async (name: ServiceName, port?: number): Promise<RunningService> => {
    const onPort = port ?? (await freePort());
    let dataDir = dirs.get(onPort);
    if (dataDir === undefined) {
      dataDir = join(root, `host-${++hosts}`);
      dirs.set(onPort, dataDir);
    }
    const service = await startService(name, {
      port: onPort,
      timeoutMs: 30_000,
      env: {
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        VIP_QUEUE: queue,
        CONFIG_EVENT_BUS: bus,
        AMQP_SERVER_URL: BROKER_URL,
        LOG_FORMAT: 'json',
      },
    });
    started.push(service);
    void service.exited.then((code) => {
      if (!intended.has(service)) exits.push(`${name}:${onPort} exited with ${String(code)}`);
    });
    return service;
  };

  return {
    queue,
    start,
    async restart(service) {
      intended.add(service);
      await service.kill();
      return start(service.name, service.port);
    },
    unexpectedExits: () => exits,
    everStarted: () => started,
    async close() {
      for (const s of started) intended.add(s);
      await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
      await deleteQueues(queue).catch(() => undefined);
      await deleteBus(bus).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Notifications recorded in the shared outbox and not yet confirmed by the broker. */
export async function outboxDepth(databaseUrl: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    databaseUrl,
    'SELECT count(*)::int AS n FROM accountservice.outbox',
  );
  return row?.n ?? 0;
}

/** The offer as a vipservice answers it (undefined for a 404). */
export async function offerOf(vipservice: RunningService, accountId: string): Promise<unknown> {
  const res = await fetch(`${vipservice.baseUrl}/offers/${accountId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) {
    await res.arrayBuffer();
    return undefined;
  }
  if (res.status !== 200) {
    throw new Error(`GET /offers/${accountId} on ${vipservice.port}: ${res.status} ${await res.text()}`);
  }
  return res.json();
}
