// Test helpers for anything that needs a real configserver process: a configserver on a free port with an
// isolated bus exchange, its JSON log lines, and a way to watch the bus from the outside.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import amqplib from 'amqplib';
import { BROKER_URL, deleteBus, serviceArgs, spawnNode } from '@goblog/testkit';

const MAIN = serviceArgs('configserver');

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
  const proc = spawnNode(MAIN, {
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
    label: 'configserver',
  });
  const stdout = proc.output('stdout');
  const stderr = (): string => proc.output('stderr').join('\n');
  const waitForLog = async (predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const isLog = (text: string): boolean => stdout.includes(text) && predicate(parseLine(text));
    const text = await proc.waitForLine(isLog, timeoutMs).catch((err: unknown) => {
      throw new Error(`configserver did not log the expected line: ${String(err)}; stderr: ${stderr()}`);
    });
    return parseLine(text);
  };
  const stop = (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> =>
    proc.stop({ signal, timeoutMs });

  let listening: LogLine;
  try {
    listening = await waitForLog(
      (line) => line.msg === 'configserver listening',
      options.timeoutMs ?? 30_000,
    );
  } catch (err) {
    await proc.kill();
    throw err;
  }
  const port = Number(listening.port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bus,
    child: proc.child,
    get logs() {
      return stdout.map(parseLine);
    },
    stderr,
    waitForLog,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      if (!options.bus) await deleteBus(bus);
    },
  };
}

/** A JSON log line; a line that does not parse is kept as its `msg`. */
function parseLine(text: string): LogLine {
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return { msg: text };
  }
}

/** Runs main.ts expecting it to exit by itself (startup failures); resolves with its exit code and output. */
export async function runConfigServerToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawnNode(MAIN, {
    env: { ...withoutConfigVars(process.env), LOG_FORMAT: 'json', SERVER_PORT: '0', ...env },
    label: 'configserver',
  });
  const timer = setTimeout(() => void proc.kill(), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, stdout: proc.output('stdout').join('\n'), stderr: proc.output('stderr').join('\n') };
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
