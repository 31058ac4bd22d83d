// One node of the local RabbitMQ cluster: its files, its environment, and how it is started, checked and
// killed. The node runs as the user who runs this script, from RabbitMQ's own scripts rather than the
// distribution's wrapper (the Debian wrapper switches to the `rabbitmq` user, who cannot reach a clone under a
// private folder). It has an Erlang cookie of its own, so rabbitmqctl here never talks to the machine's broker.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NODE_COUNT = 3;
export const FIRST_AMQP_PORT = 5681;
/** The management API of node n: 15681..15683, never the machine's broker's 15672. */
export const FIRST_MANAGEMENT_PORT = 15_681;
/** Erlang distribution port of node n: AMQP port + 20000, RabbitMQ's own rule (25681..25683). */
const DIST_OFFSET = 20_000;

export interface ClusterNode {
  readonly n: number;
  readonly name: string;
  readonly port: number;
  /** Its management API's port (HTTP on 127.0.0.1), where the plugin is on. */
  readonly managementPort: number;
  readonly dir: string;
}

/** Where RabbitMQ's own scripts are: GOBLOG_RABBITMQ_BIN, Debian's /usr/lib/rabbitmq/bin, or the PATH's. */
function rabbitmqBin(): string {
  const fromEnv = process.env.GOBLOG_RABBITMQ_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')) return '/usr/lib/rabbitmq/bin';
  return '';
}

function tool(name: string): string {
  const bin = rabbitmqBin();
  return bin === '' ? name : join(bin, name);
}

export class Cluster {
  readonly nodes: readonly ClusterNode[];

  constructor(
    readonly base: string,
    readonly management = process.env.GOBLOG_CLUSTER_MANAGEMENT !== '0',
  ) {
    this.nodes = Array.from({ length: NODE_COUNT }, (_, i) => ({
      n: i + 1,
      name: `goblog-${i + 1}@localhost`,
      port: FIRST_AMQP_PORT + i,
      managementPort: FIRST_MANAGEMENT_PORT + i,
      dir: join(base, `goblog-${i + 1}`),
    }));
  }

  node(n: number): ClusterNode {
    const node = this.nodes[n - 1];
    if (node === undefined || !Number.isInteger(n))
      throw new Error(`node must be 1..${NODE_COUNT}, got ${n}`);
    return node;
  }

  /** The environment every RabbitMQ command of this cluster runs with: the cookie lives in `base`. */
  private commonEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: this.base,
      // Never the machine's rabbitmq-env.conf (it names the machine's node).
      RABBITMQ_CONF_ENV_FILE: join(this.base, 'rabbitmq-env.conf'),
      // A VM that fails to boot leaves its crash dump with the cluster's files, not in the working directory.
      ERL_CRASH_DUMP: join(this.base, 'erl_crash.dump'),
    };
  }

  private nodeEnv(node: ClusterNode): NodeJS.ProcessEnv {
    return {
      ...this.commonEnv(),
      RABBITMQ_NODENAME: node.name,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(node.port),
      RABBITMQ_DIST_PORT: String(node.port + DIST_OFFSET),
      RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(node.dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(node.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
      RABBITMQ_PID_FILE: join(node.dir, 'pid'),
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  /** Creates the cluster's files once: the shared cookie, and each node's config and (empty) plugin list. */
  prepare(): void {
    mkdirSync(this.base, { recursive: true });
    writeFileSync(
      join(this.base, 'rabbitmq-env.conf'),
      '# the local goblog cluster: settings come from the environment\n',
    );
    const cookie = join(this.base, '.erlang.cookie');
    if (!existsSync(cookie)) {
      const value = Array.from({ length: 20 }, () =>
        String.fromCharCode(65 + Math.floor(Math.random() * 26)),
      );
      writeFileSync(cookie, value.join(''), { mode: 0o400 });
    }
    for (const node of this.nodes) {
      mkdirSync(join(node.dir, 'log'), { recursive: true });
      mkdirSync(join(node.dir, 'mnesia'), { recursive: true });
      writeFileSync(
        join(node.dir, 'rabbitmq.conf'),
        [
          `listeners.tcp.1 = 127.0.0.1:${node.port}`,
          // A node that loses the majority stops serving rather than diverging.
          'cluster_partition_handling = pause_minority',
          'log.console = false',
          'log.file.level = info',
          // The management API on a port of its own, beside the machine's broker's 15672.
          ...(this.management
            ? [`management.tcp.ip = 127.0.0.1`, `management.tcp.port = ${node.managementPort}`]
            : []),
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(node.dir, 'enabled_plugins'),
        this.management ? '[rabbitmq_management].\n' : '[].\n',
      );
    }
  }

  /** rabbitmqctl (or another CLI tool) against node `n`, bounded; resolves to stdout, rejects with stderr. */
  async ctl(
    node: ClusterNode,
    args: readonly string[],
    timeoutMs = 30_000,
    cli = 'rabbitmqctl',
  ): Promise<string> {
    try {
      const { stdout } = await run(tool(cli), ['-n', node.name, ...args], {
        env: this.commonEnv(),
        timeout: timeoutMs,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      throw new Error(`${cli} -n ${node.name} ${args.join(' ')}: ${(e.stderr ?? e.message ?? '').trim()}`);
    }
  }

  /** True when the node answers and its RabbitMQ application is running. */
  async answers(node: ClusterNode, timeoutMs = 10_000): Promise<boolean> {
    // No VM, no question (rabbitmqctl takes seconds to find out that nobody answers).
    if ((await this.vmPid(node)) === undefined) return false;
    return this.ctl(node, ['await_startup', '--timeout', '5'], timeoutMs).then(
      () => true,
      () => false,
    );
  }

  /** The running members as node `n` sees them, or undefined when it does not answer. */
  async runningMembers(node: ClusterNode): Promise<string[] | undefined> {
    if ((await this.vmPid(node)) === undefined) return undefined;
    const out = await this.ctl(node, ['cluster_status', '--formatter', 'json']).catch(() => undefined);
    if (out === undefined) return undefined;
    try {
      const status = JSON.parse(out) as { running_nodes?: string[] };
      return status.running_nodes ?? [];
    } catch {
      return undefined; // a node still booting (or a CLI cut short) may answer nothing parseable
    }
  }

  /**
   * The pid of node `n`'s Erlang VM: the one its pid file names, else (a VM still booting has not written it
   * yet, and a start that failed may have left it empty) the VM of this cluster that runs under this node's
   * name. Only an Erlang VM whose home is the cluster's folder, with this node's name in its environment,
   * counts: a stale pid file never leads to another process.
   */
  async vmPid(node: ClusterNode): Promise<number | undefined> {
    const file = join(node.dir, 'pid');
    const named = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
    if (Number.isInteger(named) && named > 1 && this.isVmOf(node, named, await argsOf(named), true))
      return named;
    const all = await run('ps', ['-eo', 'pid=,args=']).then(
      (r) => r.stdout,
      () => '',
    );
    for (const line of all.split('\n')) {
      const match = /^\s*(\d+)\s+(.*)$/.exec(line);
      const pid = Number(match?.[1]);
      if (match?.[2] !== undefined && this.isVmOf(node, pid, match[2], false)) return pid;
    }
    return undefined;
  }

  private isVmOf(node: ClusterNode, pid: number, args: string, fromPidFile: boolean): boolean {
    if (!args.includes('beam') || !args.includes(`-home ${this.base}`)) return false;
    const environ = `/proc/${pid}/environ`;
    try {
      return readFileSync(environ, 'utf8').includes(`RABBITMQ_NODENAME=${node.name}\0`);
    } catch {
      // No /proc here (not Linux): the node's own pid file is believed, a process found otherwise is not.
      return fromPidFile && !existsSync(environ);
    }
  }

  /** Starts node `n`'s VM (detached) and waits until RabbitMQ runs on it; false if it did not come up. */
  async startOnce(node: ClusterNode, timeoutMs: number): Promise<boolean> {
    await run(tool('rabbitmq-server'), ['-detached'], { env: this.nodeEnv(node), timeout: 30_000 });
    // -detached returns before the node is up; await_startup fails at once while the VM has not registered
    // its name yet, and a VM that fails to boot says nothing: poll, and give up early once it is gone.
    const deadline = performance.now() + timeoutMs;
    let goneSince: number | undefined;
    while (performance.now() < deadline) {
      if (await this.answers(node, 15_000)) return true;
      if ((await this.vmPid(node)) === undefined) {
        goneSince ??= performance.now();
        if (performance.now() - goneSince > 5000) return false;
      } else {
        goneSince = undefined;
      }
      await pause(250);
    }
    return false;
  }

  /** Sends SIGKILL to node `n`'s VM, as a crash would; resolves once it is gone. */
  async kill(node: ClusterNode): Promise<boolean> {
    const pid = await this.vmPid(node);
    if (pid === undefined) return false;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && (await this.vmPid(node)) !== undefined; i++) await pause(50);
    return true;
  }

  /** The node's last log lines: what to show when it does not come up. */
  logTail(node: ClusterNode, lines = 15): string {
    const file = join(node.dir, 'log', `${node.name}.log`);
    if (!existsSync(file)) return '(no log yet)';
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

function argsOf(pid: number): Promise<string> {
  return run('ps', ['-o', 'args=', '-p', String(pid)]).then(
    (r) => r.stdout,
    () => '',
  );
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
