// The landscape under test as real processes: an accountservice, one or more vipservices sharing one
// data_dir, and optionally a configserver, all on free ports, with a VIP queue and a config bus of their own
// so that the counts of one scenario are exact whatever else runs on the shared broker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER_URL, deleteBus, deleteQueues, freePort, startService, uniqueName } from '@goblog/testkit';
import type { RunningService, ServiceName } from '@goblog/testkit';
import { HANG_GUARD_MS } from './limits.ts';

export interface LandscapeOptions {
  /** Names the queue, bus and data folder (e.g. the scenario), so leftovers can be traced. */
  readonly label: string;
  /** vipservice instances sharing the data_dir (default 1). */
  readonly vipservices?: number;
  /** Start a configserver on the same bus; the other services then load their configuration from it. */
  readonly configserver?: { readonly repoDir?: string; readonly env?: Record<string, string> };
  /** Extra environment of every accountservice and vipservice; an empty value removes a variable. */
  readonly env?: Record<string, string>;
  /** Extra environment of the accountservice only (over `env`), e.g. its broker URL through a proxy. */
  readonly accountserviceEnv?: Record<string, string>;
}

interface Spec {
  readonly name: ServiceName;
  readonly port: number;
  readonly env: Record<string, string>;
}

export interface Landscape {
  readonly queue: string;
  readonly bus: string;
  readonly dataDir: string;
  readonly accountservice: RunningService;
  readonly vipservices: readonly RunningService[];
  readonly configserver: RunningService | undefined;
  /** Every running service (the current instance of each). */
  all(): RunningService[];
  /** Every process this landscape started, killed or not (for log captures). */
  everStarted(): readonly RunningService[];
  /** Kill -9, marked as intended: not reported by `unexpectedExits`. */
  kill(service: RunningService): Promise<void>;
  /** SIGTERM, marked as intended; resolves with the exit code. */
  stop(service: RunningService): Promise<number | null>;
  /**
   * Kill -9, then the service again on its port with its environment (replacing it); resolves once it
   * answers 200 on /health. `timeoutMs` (default HANG_GUARD_MS) is a hang guard; how long the respawn took
   * is in `restartTimes()`, reported as a figure.
   */
  restart(service: RunningService, timeoutMs?: number): Promise<RunningService>;
  /** Milliseconds from each restart's spawn to its first 200 on /health, in restart order. */
  restartTimes(): readonly { readonly service: string; readonly ms: number }[];
  /** Processes that exited although no one asked them to ("name:port exited with code"). */
  unexpectedExits(): readonly string[];
  /** Stops everything, deletes the queues and the bus exchange, removes the data folder. Safe to call twice. */
  close(): Promise<void>;
}

export async function startLandscape(options: LandscapeOptions): Promise<Landscape> {
  const id = uniqueName(`reliability.${options.label}`);
  const queue = `vip_queue.${id}`;
  const bus = `springCloudBus.${id}`;
  const dataDir = await mkdtemp(join(tmpdir(), `goblog-${options.label}-`));
  const specs = new Map<RunningService, Spec>();
  const started: RunningService[] = [];
  const intended = new Set<RunningService>();
  const exits: string[] = [];
  const restarts: { service: string; ms: number }[] = [];

  const launch = async (spec: Spec, timeoutMs = 30_000): Promise<RunningService> => {
    const service = await startService(spec.name, { port: spec.port, env: spec.env, timeoutMs });
    specs.set(service, spec);
    started.push(service);
    void service.exited.then((code) => {
      if (!intended.has(service)) exits.push(`${spec.name}:${spec.port} exited with ${String(code)}`);
    });
    return service;
  };

  let configserver: RunningService | undefined;
  let accountservice: RunningService | undefined;
  const vipservices: RunningService[] = [];
  const closeAll = async (): Promise<void> => {
    for (const s of started) intended.add(s);
    await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
    // Best effort: a broker still away must not keep the data folder from being removed.
    await deleteQueues(queue).catch(() => undefined);
    await deleteBus(bus).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    if (options.configserver) {
      configserver = await launch({
        name: 'configserver',
        port: await freePort(),
        env: withoutEmpty({
          AMQP_SERVER_URL: BROKER_URL,
          CONFIG_EVENT_BUS: bus,
          LOG_FORMAT: 'json',
          ...(options.configserver.repoDir ? { CONFIG_REPO: options.configserver.repoDir } : {}),
          ...options.configserver.env,
        }),
      });
    }
    const env: Record<string, string> = withoutEmpty({
      DATA_DIR: dataDir,
      VIP_QUEUE: queue,
      CONFIG_EVENT_BUS: bus,
      AMQP_SERVER_URL: BROKER_URL,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...(configserver ? { CONFIG_SERVER_URL: configserver.baseUrl } : {}),
      ...options.env,
    });
    const vipCount = options.vipservices ?? 1;
    const ports = await Promise.all(Array.from({ length: vipCount + 1 }, () => freePort()));
    const [accountPort = 0, ...vipPorts] = ports;
    // The vipservices first: their consumers are attached before the first notification is published.
    for (const port of vipPorts) vipservices.push(await launch({ name: 'vipservice', port, env }));
    accountservice = await launch({
      name: 'accountservice',
      port: accountPort,
      env: withoutEmpty({ ...env, ...options.accountserviceEnv }),
    });
  } catch (err) {
    await closeAll();
    throw err;
  }

  let closed = false;
  const current = { accountservice, configserver };
  return {
    queue,
    bus,
    dataDir,
    get accountservice() {
      return current.accountservice;
    },
    get configserver() {
      return current.configserver;
    },
    vipservices,
    all: () => [
      ...(current.configserver ? [current.configserver] : []),
      current.accountservice,
      ...vipservices,
    ],
    everStarted: () => started,
    async kill(service) {
      intended.add(service);
      await service.kill();
    },
    async stop(service) {
      intended.add(service);
      return service.stop();
    },
    async restart(service, timeoutMs = HANG_GUARD_MS) {
      const spec = specs.get(service);
      if (!spec) throw new Error(`not a service of this landscape: ${service.name}:${service.port}`);
      intended.add(service);
      await service.kill();
      const spawned = Date.now();
      const fresh = await launch(spec, timeoutMs);
      restarts.push({ service: `${spec.name}:${spec.port}`, ms: Date.now() - spawned });
      if (current.accountservice === service) current.accountservice = fresh;
      if (current.configserver === service) current.configserver = fresh;
      const i = vipservices.indexOf(service);
      if (i >= 0) vipservices[i] = fresh;
      return fresh;
    },
    restartTimes: () => restarts,
    unexpectedExits: () => exits,
    async close() {
      if (closed) return;
      closed = true;
      await closeAll();
    },
  };
}

function withoutEmpty(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}
