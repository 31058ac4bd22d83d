import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { repoRoot } from './paths.js';

/** A line matcher: a substring, a pattern, or a predicate. */
export type LineMatch = string | RegExp | ((line: string) => boolean);

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every line the process wrote so far, stdout and stderr in arrival order. */
  readonly lines: readonly string[];
  /** The lines of one stream alone. */
  output(stream: 'stdout' | 'stderr'): readonly string[];
  /**
   * Resolves with the first line (already written or coming) that matches; rejects after `timeoutMs`
   * (default 10 s), or as soon as the process has exited without writing one.
   */
  waitForLine(match: LineMatch, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (null after a signal) once the process is gone and its output read. */
  readonly exited: Promise<number | null>;
  /**
   * Sends `signal` (default SIGTERM) and resolves with the exit code. A process still running `timeoutMs`
   * later (default 15 s) is killed and the call rejects: a process that ignores SIGTERM fails the test, it
   * does not hang it. Safe to call on a process that is gone.
   */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<number | null>;
  /** SIGKILL (the `kill -9` of the fault tests); resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `node <args>` in the repository root with an environment of PATH, HOME and `env` only, so that
 * nothing of the caller's setup leaks in unless passed. With TEST_SERVICE_LOGS set, its lines are echoed to
 * stderr, prefixed with `label`.
 */
export function spawnNode(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; label?: string } = {},
): NodeProcess {
  const label = options.label ?? args.at(-1) ?? 'node';
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const byStream = { stdout: [] as string[], stderr: [] as string[] };
  const waiters = new Set<(line: string | undefined) => void>();
  const add = (stream: 'stdout' | 'stderr', line: string): void => {
    lines.push(line);
    byStream[stream].push(line);
    if (process.env.TEST_SERVICE_LOGS) {
      process.stderr.write(`[${label}${stream === 'stderr' ? '!' : ''}] ${line}\n`);
    }
    for (const wake of [...waiters]) wake(line);
  };
  const read = (stream: 'stdout' | 'stderr'): Promise<unknown> => {
    let partial = '';
    const source = child[stream];
    source.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) add(stream, line);
    });
    return once(source, 'end').then(() => {
      if (partial !== '') add(stream, partial);
    });
  };
  const ended = Promise.all([read('stdout'), read('stderr')]);
  const exitCode = once(child, 'exit').then(([code]) => code as number | null);
  const exited = Promise.all([exitCode, ended.catch(() => undefined)]).then(([code]) => {
    for (const wake of [...waiters]) wake(undefined);
    return code;
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const waitForLine = (match: LineMatch, timeoutMs = 10_000): Promise<string> => {
    const test =
      typeof match === 'function'
        ? match
        : typeof match === 'string'
          ? (l: string) => l.includes(match)
          : (l: string) => match.test(l);
    const found = lines.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (line: string | undefined): void => {
        if (line === undefined) {
          done();
          reject(
            new Error(`${label} exited before a line matching ${String(match)}; last lines:\n${tail()}`),
          );
        } else if (test(line)) {
          done();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(
          new Error(
            `${label}: no line matching ${String(match)} within ${timeoutMs} ms; last lines:\n${tail()}`,
          ),
        );
      }, timeoutMs);
      waiters.add(wake);
    });
  };
  const tail = (): string => lines.slice(-10).join('\n');

  return {
    child,
    lines,
    output: (stream) => byStream[stream],
    waitForLine,
    exited,
    async stop({ signal = 'SIGTERM', timeoutMs = 15_000 } = {}) {
      if (running()) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${label} did not exit within ${timeoutMs} ms of ${signal}; killed`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
