// A RabbitMQ node of a test file's own, to stop, start and force-close under the services without touching
// the machine's broker (or anyone else using it, such as the other test files running beside this one). It
// runs from RabbitMQ's own scripts as the invoking user, with an Erlang cookie, a name, ports and files of its
// own in a temp folder, which it removes again.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { useBroker } from './broker.js';
import { freePort } from './wait.js';

const run = promisify(execFile);

export interface BrokerInstance extends AsyncDisposable {
  /** amqp://guest:guest@127.0.0.1:<port>/ */
  readonly url: string;
  /** The Erlang node name (goblog-test-<hex>@localhost). */
  readonly node: string;
  /** rabbitmqctl against this node alone, bounded; resolves to stdout, rejects with stderr. */
  ctl(...args: string[]): Promise<string>;
  /** rabbitmqctl stop_app: every connection drops and no new one is accepted. */
  stopApp(): Promise<void>;
  /** rabbitmqctl start_app + await_startup: resolves once connections are accepted again. */
  startApp(): Promise<void>;
  /** Stops the node and removes its files; safe to call twice. */
  destroy(): Promise<void>;
}

/** Where RabbitMQ's own scripts are (not a distribution's wrapper, which switches to the rabbitmq user). */
function rabbitmqTool(name: string): string {
  const fromEnv = process.env.GOBLOG_RABBITMQ_BIN;
  const bin =
    fromEnv !== undefined && fromEnv !== ''
      ? fromEnv
      : existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')
        ? '/usr/lib/rabbitmq/bin'
        : '';
  return bin === '' ? name : join(bin, name);
}

/** SIGKILL to the VM its pid file names; resolves once that process is gone (bounded). */
async function killVm(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive() && Date.now() < deadline) await delay(20);
}

/**
 * Starts a single RabbitMQ node on free ports of 127.0.0.1 and resolves once it accepts connections (guest is
 * allowed from loopback, as on a fresh install). Destroy it in `after`.
 */
export async function startBrokerInstance(label: string): Promise<BrokerInstance> {
  const dir = mkdtempSync(join(tmpdir(), `goblog-rabbitmq-${label}-`));
  const node = `goblog-test-${randomBytes(4).toString('hex')}@localhost`;
  const [port, distPort] = [await freePort(), await freePort()];
  const common: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    // The cookie is read from $HOME: the node and every command against it share this one.
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    ERL_CRASH_DUMP: join(dir, 'erl_crash.dump'),
  };
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '# settings come from the environment\n');
  writeFileSync(join(dir, '.erlang.cookie'), randomBytes(16).toString('hex').toUpperCase(), { mode: 0o400 });
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [`listeners.tcp.1 = 127.0.0.1:${port}`, 'log.console = false', 'log.file.level = warning', ''].join('\n'),
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  mkdirSync(join(dir, 'log'));
  const serverEnv: NodeJS.ProcessEnv = {
    ...common,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };

  const ctl = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(rabbitmqTool('rabbitmqctl'), ['-n', node, ...args], {
        env: common,
        timeout: 60_000,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      throw new Error(`rabbitmqctl -n ${node} ${args.join(' ')}: ${(e.stderr ?? e.message ?? '').trim()}`);
    }
  };

  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    // Its data is thrown away, so the VM is killed rather than stopped (an orderly stop takes seconds).
    await killVm(join(dir, 'pid'));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run(rabbitmqTool('rabbitmq-server'), ['-detached'], { env: serverEnv, timeout: 30_000 });
    // -detached returns before the VM has registered its name, and await_startup fails at once until it
    // has: retried until the node runs, bounded.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const failure = await ctl('await_startup', '--timeout', '30').then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      if (failure === undefined) break;
      if (Date.now() > deadline) throw new Error(`RabbitMQ node ${node} did not start: ${failure.message}`);
      await delay(200);
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  return {
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    node,
    ctl,
    async stopApp() {
      await ctl('stop_app');
    },
    async startApp() {
      await ctl('start_app');
      await ctl('await_startup');
    },
    destroy,
    [Symbol.asyncDispose]: destroy,
  };
}

/**
 * A broker instance of this test file's own, with every broker helper of the testkit (BROKER_URL,
 * rabbitmqctl, queueDepth, ...) pointed at it until it is destroyed.
 */
export async function usePrivateBroker(label: string): Promise<BrokerInstance> {
  const instance = await startBrokerInstance(label);
  useBroker(instance);
  const destroy = async (): Promise<void> => {
    useBroker();
    await instance.destroy();
  };
  return { ...instance, destroy, [Symbol.asyncDispose]: destroy };
}
