// `npm start -- --scale vipservice=3`: the runner itself, on the built services. Three vipservice instances
// share the work of one queue and one store, and the landscape page shows the three; one Ctrl+C (the
// README's way to stop it) stops every service, and all exit 0.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { freePort, repoRoot, waitUntil, withTimeout } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { jsonLine, notificationsOf } from './support/observe.ts';

const VIPSERVICES = ['vipservice-1', 'vipservice-2', 'vipservice-3'] as const;
const LABELS = ['configserver', 'accountservice', ...VIPSERVICES, 'landscape'] as const;
type Label = (typeof LABELS)[number];
const READS = 40;

describe('npm start -- --scale vipservice=3', () => {
  let iso: Isolation;
  let runner: ChildProcess | undefined;
  let exited: Promise<number | null>;
  const lines: string[] = [];
  const ports = { config: 0, account: 0, vip: 0, page: 0 };
  const urlOf = (port: number): string => `http://127.0.0.1:${String(port)}`;
  /** Sends `signal` to the runner's process group (a no-op once it is gone). */
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (runner?.pid === undefined) return;
    try {
      process.kill(-runner.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  };

  before(async () => {
    // The runner runs services/*/dist, as `npm start` does after its build step.
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, timeout: 300_000 });
    iso = await isolate('scale');
    [ports.config, ports.account, ports.vip, ports.page] = await Promise.all([
      freePort(),
      freePort(),
      freePortRun(VIPSERVICES.length),
      freePort(),
    ]);

    runner = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--scale', `vipservice=${VIPSERVICES.length}`],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...iso.env,
          CONFIG_SERVER_PORT: String(ports.config),
          ACCOUNTSERVICE_PORT: String(ports.account),
          VIPSERVICE_PORT: String(ports.vip),
          LANDSCAPE_PORT: String(ports.page),
          WATCH_QUEUES: iso.queue,
          FORCE_COLOR: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A process group of its own, as a terminal gives a foreground job: Ctrl+C signals the whole group.
        detached: true,
      },
    );
    exited = once(runner, 'exit').then(([code]) => code as number | null);
    collectLines(runner, lines);

    const gone = (): boolean => runner?.exitCode !== null;
    for (const port of [ports.config, ports.account, ...vipPorts(), ports.page]) {
      await waitUntil(
        async () => (await fetch(`${urlOf(port)}/health`).catch(() => undefined))?.status === 200,
        60_000,
        () => `a healthy service on ${String(port)}; runner output:\n${lines.slice(-20).join('\n')}`,
        gone,
      );
    }
  });

  after(async () => {
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      runner.kill('SIGTERM');
      await withTimeout(exited, 30_000, 'runner did not stop').catch(() => {
        signalGroup('SIGKILL');
      });
    }
    // Whatever is left of the group (a service the runner lost track of) goes too.
    signalGroup('SIGKILL');
    await iso.cleanup();
  });

  /** vipservice-N listens on ports.vip + N - 1. */
  const vipPorts = (): number[] => VIPSERVICES.map((_, i) => ports.vip + i);

  it('the vipservice instances share the notifications and one store', async () => {
    for (let i = 0; i < READS; i++) {
      const response = await fetch(`${urlOf(ports.account)}/accounts/10000`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const handled = (): number[] => VIPSERVICES.map((label) => gotMessages(label));
    const sum = (): number => handled().reduce((a, b) => a + b, 0);
    await waitUntil(
      () => sum() >= READS,
      30_000,
      () => `${String(READS)} 'Got a message:' lines; runner output:\n${lines.slice(-20).join('\n')}`,
    );
    assert.equal(sum(), READS, 'each notification is handled by one instance');
    assert.ok(
      handled().every((n) => n > 0),
      `every instance got work: ${handled().join(', ')}`,
    );

    for (const port of vipPorts()) {
      await waitUntil(
        async () => (await notificationsOf(urlOf(port))) === READS,
        15_000,
        () => `GET /offers/10000 on ${String(port)} saying ${String(READS)} notifications`,
      );
    }
  });

  it('the landscape page finds every instance by itself, the three vipservices included, all UP', async () => {
    const up = async (): Promise<string[]> => {
      const response = await fetch(`${urlOf(ports.page)}/api/landscape`).catch(() => undefined);
      if (response?.status !== 200) return [];
      const body = (await response.json()) as {
        services: { instances: { id: string; status: string }[] }[];
      };
      return body.services.flatMap((s) => s.instances.filter((i) => i.status === 'UP').map((i) => i.id));
    };
    const expected = [
      `configserver:${String(ports.config)}`,
      `accountservice:${String(ports.account)}`,
      ...vipPorts().map((port) => `vipservice:${String(port)}`),
      `landscape:${String(ports.page)}`,
    ];
    let seen: string[] = [];
    await waitUntil(
      async () => {
        seen = await up();
        return expected.every((id) => seen.includes(id));
      },
      20_000,
      () => `every instance UP on /api/landscape; it shows ${JSON.stringify(seen)} UP`,
    );
  });

  it('Ctrl+C (SIGINT to the runner and its services) stops every service, each exits 0, and so does the runner', async () => {
    assert.ok(runner);
    // What a terminal does on Ctrl+C: SIGINT to every process of the foreground group at once, the runner
    // and each service. Whatever the runner passes on after that is a second signal, which a service that
    // is already stopping ignores.
    signalGroup('SIGINT');
    const code = await withTimeout(exited, 40_000, 'the runner did not exit after Ctrl+C');
    for (const label of LABELS) {
      assert.ok(
        lines.some((l) => prefixOf(l) === label && /exited with code 0\b/.test(l)),
        `'${label} ... exited with code 0' in the runner output:\n${lines.slice(-20).join('\n')}`,
      );
    }
    assert.equal(code, 0, 'the runner exits 0');
  });

  /** 'Got a message:' log lines of one instance (JSON lines behind the runner's `[label]` prefix). */
  function gotMessages(label: Label): number {
    return lines.filter((l) => {
      const msg = prefixOf(l) === label ? jsonLine(l)?.msg : undefined;
      return typeof msg === 'string' && msg.startsWith('Got a message:');
    }).length;
  }
});

/** The runner's `[name]` prefix of a line (padded with spaces to the longest name), without colour codes. */
function prefixOf(line: string): string | undefined {
  return /^\[([^\]]+?)\s*\]/.exec(stripAnsi(line))?.[1];
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function collectLines(child: ChildProcess, into: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        into.push(stripAnsi(line));
        if (process.env.TEST_SERVICE_LOGS) process.stderr.write(`${line}\n`);
      }
    });
  }
}

/** A free port P whose next `count - 1` neighbours are free too (the runner puts vipservice-N on P+N-1). */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    let free = port + count - 1 <= 65_535;
    for (let i = 1; free && i < count; i++) free = await canListen(port + i);
    if (free) return port;
  }
  throw new Error(`no ${String(count)} adjacent free ports`);
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err as Error)),
    ]);
  } catch {
    return false;
  }
  server.close();
  await once(server, 'close');
  return true;
}
