import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly startupMs: number;
  /** Resident set size in MiB, read from /proc. */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `args` with node and waits until `ready` (an HTTP URL answering 200, or a stdout line) holds. */
export async function startProcess(
  args: readonly string[],
  env: Record<string, string>,
  ready: { url: string } | { line: string },
): Promise<BenchProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${lines.slice(-5).join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} not ready: ${lines.slice(-5).join('\n')}`);
    }
    if ('url' in ready) {
      const status = await fetch(ready.url).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
    } else if (lines.some((l) => l.includes(ready.line))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const startupMs = performance.now() - started;
  return {
    child,
    lines,
    startupMs,
    async rssMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
