import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceName = 'accountservice' | 'vipservice' | 'configserver';

export interface RunningService {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Every line the process wrote so far (stdout and stderr). */
  readonly lines: readonly string[];
  /** Resolves with the first line (past or future) matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** SIGTERM, resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL (the `kill -9` of the fault tests), resolves once the process is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

export interface StartOptions {
  readonly port: number;
  readonly env?: Record<string, string>;
  /** Wait until GET /health answers 200. Default true. */
  readonly waitHealthy?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Starts a service from its TypeScript sources as a real process (node + tsx), as `npm start` would run it
 * after a build. The environment is isolated from the caller's (only PATH/HOME and what `env` adds).
 */
export async function startService(name: ServiceName, options: StartOptions): Promise<RunningService> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', `services/${name}/src/main.ts`],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SERVER_PORT: String(options.port),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const waiters = new Set<{ test: (l: string) => boolean; resolve: (l: string) => void }>();
  const onData = (prefix: string) => {
    let partial = '';
    return (chunk: Buffer): void => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (process.env.TEST_SERVICE_LOGS) process.stderr.write(`${prefix}${line}\n`);
        for (const w of waiters) if (w.test(line)) w.resolve(line);
      }
    };
  };
  child.stdout.on('data', onData(`[${name}:${options.port}] `));
  child.stderr.on('data', onData(`[${name}:${options.port}!] `));
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const waitForLine = (pattern: RegExp | string, timeoutMs = 10_000): Promise<string> => {
    const test = (l: string): boolean =>
      typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l);
    const found = lines.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (l: string) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`${name}: no line matching ${String(pattern)} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  const service: RunningService = {
    name,
    child,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    lines,
    waitForLine,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return withTimeout(exited, timeoutMs, `${name} did not exit after SIGTERM`);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };

  if (options.waitHealthy ?? true) {
    try {
      await waitUntil(
        async () => (await fetch(`${service.baseUrl}/health`).catch(() => undefined))?.status === 200,
        options.timeoutMs ?? 20_000,
        () => `${name} on ${options.port} not healthy; last lines:\n${lines.slice(-10).join('\n')}`,
        () => child.exitCode !== null,
      );
    } catch (err) {
      await service.kill();
      throw err;
    }
  }
  return service;
}

/** Polls `condition` (an observable state, e.g. an HTTP answer) until true; rejects after `timeoutMs`. */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  describe: () => string = () => 'condition',
  giveUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (giveUp()) throw new Error(`gave up waiting: ${describe()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await delay(50);
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(message));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}
