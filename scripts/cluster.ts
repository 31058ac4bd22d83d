// `npm run cluster -- up | status | kill N | start N | down`: a three-node RabbitMQ cluster on this machine,
// beside the machine's own broker on 5672 (never touched: other node names, ports, cookie and files).
// Nodes goblog-1..3@localhost, AMQP on 127.0.0.1:5681..5683 (guest/guest), data and logs under
// .data/rabbitmq-cluster/. See docs/cluster.md.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, pause, type ClusterNode } from './cluster/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cluster = new Cluster(process.env.GOBLOG_CLUSTER_DIR ?? join(root, '.data', 'rabbitmq-cluster'));
const BOOT_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 3;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Starts node `n` and checks that it runs; a start that fails (it can, right after a kill -9) is retried. */
async function start(node: ClusterNode): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await cluster.answers(node)) return;
    // A VM that is there but does not answer (half-booted, or left over) is ended before a new start.
    await cluster.kill(node);
    if (await cluster.startOnce(node, BOOT_TIMEOUT_MS)) return;
    if (attempt >= START_ATTEMPTS) {
      throw new Error(
        `${node.name} did not start (${attempt} attempts); its log ends with:\n${cluster.logTail(node)}`,
      );
    }
    say(`${node.name} did not come up; trying again (${attempt + 1}/${START_ATTEMPTS})`);
    await pause(1000 * attempt);
  }
}

/** Node 2 and 3 join node 1 (on 3.10: stop_app, reset, join_cluster, start_app). Only for fresh nodes. */
async function joinCluster(node: ClusterNode, seed: ClusterNode): Promise<void> {
  await cluster.ctl(node, ['stop_app']);
  await cluster.ctl(node, ['reset']);
  await cluster.ctl(node, ['join_cluster', seed.name], 60_000);
  await cluster.ctl(node, ['start_app'], 60_000);
  await cluster.ctl(node, ['await_startup', '--timeout', '60'], 65_000);
}

async function clustered(): Promise<boolean> {
  const members = await Promise.all(cluster.nodes.map((n) => cluster.runningMembers(n)));
  return members.every((m) => m !== undefined && m.length === cluster.nodes.length);
}

async function up(): Promise<void> {
  if (await clustered()) {
    say(`cluster already up: ${cluster.nodes.map((n) => `${n.name} on 127.0.0.1:${n.port}`).join(', ')}`);
    return;
  }
  cluster.prepare();
  const started = performance.now();
  await Promise.all(cluster.nodes.map((n) => start(n)));
  // A node that came up on its own (fresh, never joined) joins node 1; a member that restarted with its
  // data is in the cluster again already and keeps its data.
  const [seed, ...others] = cluster.nodes;
  if (seed === undefined) return;
  for (const node of others) {
    if (!(await cluster.runningMembers(node))?.includes(seed.name)) await joinCluster(node, seed);
  }
  if (!(await clustered())) {
    throw new Error(
      'the nodes run but are not one cluster; `npm run cluster -- down` and up again starts afresh',
    );
  }
  const s = ((performance.now() - started) / 1000).toFixed(1);
  say(`cluster up in ${s} s: ${cluster.nodes.map((n) => `${n.name} on 127.0.0.1:${n.port}`).join(', ')}`);
  say(`AMQP_SERVER_URL=${cluster.nodes.map((n) => `amqp://guest:guest@127.0.0.1:${n.port}/`).join(',')}`);
}

async function status(): Promise<void> {
  let seen: ClusterNode | undefined;
  for (const node of cluster.nodes) {
    const members = await cluster.runningMembers(node);
    say(`${node.name} (127.0.0.1:${node.port}): ${members === undefined ? 'not running' : 'running'}`);
    if (members !== undefined) seen ??= node;
  }
  if (seen === undefined) return;
  say(`running members: ${(await cluster.runningMembers(seen))?.join(', ') ?? 'unknown'}`);
  const out = await cluster
    .ctl(seen, ['list_queues', '-p', '/', 'name', 'type', 'leader', 'members', '--formatter', 'json'])
    .catch(() => '[]');
  const queues = JSON.parse(out) as { name: string; type: string; leader?: string; members?: string[] }[];
  for (const q of queues.filter((q) => q.name === 'vip_queue')) {
    const members = Array.isArray(q.members) ? q.members.join(', ') : '';
    say(
      `vip_queue: ${q.type}${q.leader ? `, leader ${q.leader}` : ''}${members ? `, members ${members}` : ''}`,
    );
  }
}

/** Every queue of vhost / as JSON (name, type, leader, members, messages, unacked, consumers): for tests. */
async function queues(): Promise<void> {
  for (const node of cluster.nodes) {
    const out = await cluster
      .ctl(node, [
        'list_queues',
        '-p',
        '/',
        'name',
        'type',
        'leader',
        'members',
        'messages',
        'messages_unacknowledged',
        'consumers',
        '--formatter',
        'json',
      ])
      .catch(() => undefined);
    if (out !== undefined) {
      say(out.trim());
      return;
    }
  }
  throw new Error('no node answers');
}

async function down(): Promise<void> {
  await Promise.all(
    cluster.nodes.map(async (node) => {
      if (await cluster.answers(node, 5000)) await cluster.ctl(node, ['stop'], 60_000).catch(() => undefined);
      await cluster.kill(node); // whatever did not stop cleanly
    }),
  );
  rmSync(cluster.base, { recursive: true, force: true });
  say('cluster down; its data removed');
}

function nodeArg(value: string | undefined): ClusterNode {
  return cluster.node(Number(value));
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, arg] = argv;
  switch (command) {
    case 'up':
      return up();
    case 'status':
      return status();
    case 'kill': {
      const node = nodeArg(arg);
      say((await cluster.kill(node)) ? `${node.name} killed (SIGKILL)` : `${node.name} was not running`);
      return;
    }
    case 'start': {
      const node = nodeArg(arg);
      cluster.prepare();
      await start(node);
      say(`${node.name} running on 127.0.0.1:${node.port}`);
      return;
    }
    case 'down':
      return down();
    case 'queues':
      return queues();
    default:
      throw new Error('usage: npm run cluster -- up | status | kill N | start N | down | queues');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
