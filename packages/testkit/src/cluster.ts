// The local three-node RabbitMQ cluster (`npm run cluster`), as the cluster tests and the bench drive it:
// through the very command a developer uses, never by other means. A test file calls useCluster() once; a
// cluster that is already up (CI brings it up before the tests) is reused and left up, one this file
// started is brought down again when the file is done.
import { connect } from 'amqplib';
import type { Channel } from 'amqplib';
import { announcementExchange } from '@goblog/contracts';
import { holdExclusive } from './exclusive.js';
import { spawnNode } from './process.js';

/** The nodes' AMQP ports, node 1 first. */
export const CLUSTER_PORTS = [5681, 5682, 5683] as const;

/** The nodes' management API ports (the plugin is on unless the cluster was brought up without it). */
export const CLUSTER_MANAGEMENT_PORTS = [15681, 15682, 15683] as const;

/** The management API of node `n`, without credentials (the landscape takes the AMQP URL's). */
export function clusterManagementUrl(n: number): string {
  return `http://127.0.0.1:${CLUSTER_MANAGEMENT_PORTS[n - 1] ?? 0}`;
}

/** The cluster's URLs as one comma-separated amqp_server_url, optionally starting at node `first`. */
export function clusterUrl(first = 1): string {
  const ports = [...CLUSTER_PORTS.slice(first - 1), ...CLUSTER_PORTS.slice(0, first - 1)];
  return ports.map((port) => `amqp://guest:guest@127.0.0.1:${port}/`).join(',');
}

/** The URL of node `n` alone. */
export function clusterNodeUrl(n: number): string {
  return `amqp://guest:guest@127.0.0.1:${CLUSTER_PORTS[n - 1] ?? 0}/`;
}

/** The node number (1..3) of a transport's or a /health's `node` (host:port); undefined when not the cluster's. */
export function clusterNodeOf(node: string | undefined): number | undefined {
  const port = Number(node?.split(':').at(-1));
  const i = CLUSTER_PORTS.findIndex((p) => p === port);
  return i < 0 ? undefined : i + 1;
}

export interface ClusterQueue {
  readonly name: string;
  readonly type: string;
  readonly leader?: string;
  readonly members?: readonly string[] | string;
  readonly messages: number;
  readonly messages_unacknowledged: number;
  readonly consumers: number;
}

export interface LocalCluster {
  /** `npm run cluster -- kill n`: SIGKILL of node n's VM. */
  kill(n: number): Promise<void>;
  /** `npm run cluster -- start n`: resolves once node n runs again (rejoined with its data). */
  start(n: number): Promise<void>;
  /** `npm run cluster -- queues`: every queue of vhost / with its type, leader and counts. */
  queues(): Promise<ClusterQueue[]>;
  /** Starts every node that is not running (a test that failed half-way leaves none down). */
  heal(): Promise<void>;
  /** Down again if this file brought it up; otherwise heals it and leaves it up. Safe to call twice. */
  release(): Promise<void>;
}

/** Runs `npm run cluster -- <args>` (the script itself, without npm); resolves with its output, bounded. */
export async function clusterCommand(args: readonly string[], timeoutMs = 180_000): Promise<string> {
  const p = spawnNode(['--import', 'tsx', '--conditions=source', 'scripts/cluster.ts', ...args], {
    label: `cluster ${args.join(' ')}`,
    env: process.env.GOBLOG_CLUSTER_DIR ? { GOBLOG_CLUSTER_DIR: process.env.GOBLOG_CLUSTER_DIR } : {},
  });
  const timer = setTimeout(() => void p.kill(), timeoutMs);
  const code = await p.exited.finally(() => {
    clearTimeout(timer);
  });
  const out = p.lines.join('\n');
  if (code !== 0) throw new Error(`npm run cluster -- ${args.join(' ')} failed (${String(code)}): ${out}`);
  return p.output('stdout').join('\n');
}

/** How long a file waits for another file's turn on the cluster to end: the cluster files' time together. */
const CLUSTER_LOCK_WAIT_MS = 20 * 60_000;

/**
 * Brings the cluster up (or finds it up) for one test file, and holds it for that file alone until release:
 * the cluster files kill and restart its nodes, so while the runner runs files side by side, they take turns.
 */
export async function useCluster(): Promise<LocalCluster> {
  const unlock = await holdExclusive('cluster', CLUSTER_LOCK_WAIT_MS);
  let out: string;
  try {
    out = await clusterCommand(['up']);
  } catch (err) {
    await unlock();
    throw err;
  }
  const startedHere = !out.includes('already up');
  let released = false;
  return {
    async kill(n) {
      await clusterCommand(['kill', String(n)]);
    },
    async start(n) {
      await clusterCommand(['start', String(n)]);
    },
    async queues() {
      return JSON.parse(await clusterCommand(['queues'])) as ClusterQueue[];
    },
    async heal() {
      await clusterCommand(['up']);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await clusterCommand(startedHere ? ['down'] : ['up']);
      } finally {
        await unlock();
      }
    },
  };
}

/**
 * Deletes a work queue and its companions (`.retry`, `.dlq`) on the cluster, through the first node that
 * answers; one that is not there is no error.
 */
export function deleteClusterQueues(queue: string): Promise<void> {
  return onFirstNode([queue, `${queue}.retry`, `${queue}.dlq`], (ch, q) => ch.deleteQueue(q));
}

/** Deletes a config bus exchange and its announcement exchange on the cluster (as deleteBus does on 5672). */
export function deleteClusterBus(bus: string): Promise<void> {
  return onFirstNode([bus, announcementExchange(bus)], (ch, name) => ch.deleteExchange(name));
}

/** One channel per name on the first node that answers: a failed operation closes its own channel only. */
async function onFirstNode(
  names: readonly string[],
  operation: (channel: Channel, name: string) => Promise<unknown>,
): Promise<void> {
  for (const port of CLUSTER_PORTS) {
    const connection = await connect(`amqp://guest:guest@127.0.0.1:${port}/`).catch(() => undefined);
    if (connection === undefined) continue;
    try {
      for (const name of names) {
        const ch = await connection.createChannel();
        ch.on('error', () => undefined);
        await operation(ch, name).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      return;
    } finally {
      await connection.close().catch(() => undefined);
    }
  }
}

/** A plain amqplib connection to node `n` (for looking at queues from outside); the caller closes it. */
export function clusterConnection(n: number) {
  return connect(clusterNodeUrl(n));
}
