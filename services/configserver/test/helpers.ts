// Test helpers for anything that needs a real configserver process: a temporary config repository, a
// configserver on a free port with an isolated bus exchange, and a way to watch the bus from the outside.
// The accountservice tests use them too ("account 10001 becomes VIP without restart").
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import amqplib from 'amqplib';
import { repoRoot } from '@goblog/config';

export const BROKER_URL = process.env.AMQP_SERVER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface TempRepo extends Disposable {
  readonly dir: string;
  write(name: string, text: string): void;
  /** Runs git in the repository (only when created with `git: true`). */
  git(...args: string[]): string;
}

/**
 * A throwaway copy of the repository's config-repo/ (or only `files`), plus `files` written over it.
 * `git: true` makes it a git repository with everything committed on branch `main`. Removed on dispose.
 */
export function tempConfigRepo(
  options: { files?: Record<string, string>; copy?: boolean; git?: boolean } = {},
): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'goblog-config-repo-'));
  if (options.copy ?? true) cpSync(join(repoRoot(), 'config-repo'), dir, { recursive: true });
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
  if (options.git) {
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'initial');
  }
  return {
    dir,
    git,
    write(name, text) {
      writeFileSync(join(dir, name), text);
    },
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A bus exchange name of this test's own, so refresh events never reach other people's services. */
export function testBusName(): string {
  return `springCloudBus.test.${randomBytes(4).toString('hex')}`;
}

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [key: string]: unknown;
}

export interface ConfigServerProcess extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly bus: string;
  readonly child: ChildProcess;
  readonly logs: readonly LogLine[];
  stderr(): string;
  /** Resolves with the first log line (already seen or coming) that matches. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /**
   * Sends `signal` and resolves with the exit code. A process still running `timeoutMs` later (default 15 s)
   * is killed and the call rejects: a configserver that ignores SIGTERM fails the test, it does not hang it.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `services/configserver/src/main.ts` as a real process (through tsx, against sources) on `port`
 * (default 0 = any free port) serving `repoDir`, with its own bus exchange (`bus`, default a fresh test
 * name). Resolves once it logs "configserver listening". On dispose: stops it and deletes the exchange.
 */
export async function startConfigServer(
  options: {
    repoDir?: string;
    port?: number;
    bus?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<ConfigServerProcess> {
  const bus = options.bus ?? testBusName();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', MAIN], {
    cwd: repoRoot(),
    env: {
      ...withoutConfigVars(process.env),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
      SERVER_PORT: String(options.port ?? 0),
      CONFIG_EVENT_BUS: bus,
      AMQP_SERVER_URL: BROKER_URL,
      ...(options.repoDir ? { CONFIG_REPO: options.repoDir } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`configserver did not log the expected line within ${timeoutMs} ms; stderr: ${stderr}`),
        );
      }, timeoutMs);
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.has(waiter)) return;
        waiters.delete(waiter);
        clearTimeout(timer);
        reject(
          new Error(`configserver exited (${String(code)}) before the expected line; stderr: ${stderr}`),
        );
      });
    });
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`configserver did not exit within ${timeoutMs} ms of ${signal}; killed`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  let listening: LogLine;
  try {
    listening = await waitForLog(
      (line) => line.msg === 'configserver listening',
      options.timeoutMs ?? 30_000,
    );
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  const port = Number(listening.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bus,
    child,
    logs,
    stderr: () => stderr,
    waitForLog,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      if (!options.bus) await deleteExchange(bus);
    },
  };
}

/** Runs main.ts expecting it to exit by itself (startup failures); resolves with its exit code and output. */
export async function runConfigServerToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', MAIN], {
    cwd: repoRoot(),
    env: { ...withoutConfigVars(process.env), LOG_FORMAT: 'json', SERVER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => {
      resolve(c);
    });
  });
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Deletes a (test) exchange from the broker. */
export async function deleteExchange(name: string): Promise<void> {
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteExchange(name);
  } finally {
    await connection.close();
  }
}

export interface BusTap extends AsyncDisposable {
  /** Resolves with the next message on the bus exchange (in arrival order). */
  next(timeoutMs?: number): Promise<amqplib.ConsumeMessage>;
}

/** Watches a bus exchange from the outside, with a raw AMQP queue of its own bound with `#`. */
export async function tapBus(exchange: string): Promise<BusTap> {
  const connection = await amqplib.connect(BROKER_URL);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, '#');
  const buffered: amqplib.ConsumeMessage[] = [];
  const waiting: ((msg: amqplib.ConsumeMessage) => void)[] = [];
  await channel.consume(
    queue,
    (msg) => {
      if (!msg) return;
      const waiter = waiting.shift();
      if (waiter) waiter(msg);
      else buffered.push(msg);
    },
    { noAck: true },
  );
  return {
    next(timeoutMs = 10_000) {
      const ready = buffered.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(deliver);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`no message on ${exchange} within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (msg: amqplib.ConsumeMessage): void => {
          clearTimeout(timer);
          resolve(msg);
        };
        waiting.push(deliver);
      });
    },
    async [Symbol.asyncDispose]() {
      await connection.close();
    },
  };
}

/** The process environment without variables that would point a child at someone else's setup. */
function withoutConfigVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !INHERITED_CONFIG_VARS.has(name)));
}

const INHERITED_CONFIG_VARS = new Set([
  'CONFIG_SERVER_URL',
  'CONFIG_SERVER_USER',
  'CONFIG_SERVER_PASSWORD',
  'CONFIG_REPO',
  'CONFIG_LABEL',
  'ENCRYPT_KEY',
  'PROFILE',
  'SERVER_PORT',
  'CONFIG_EVENT_BUS',
  'LOG_LEVEL',
]);
