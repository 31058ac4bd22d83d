import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { spawnNode } from '@goblog/testkit';

export interface BenchProcess {
  readonly child: ChildProcess;
  readonly lines: readonly string[];
  readonly startupMs: number;
  /** Resident set size in MiB, read from /proc. */
  rssMiB(): Promise<number>;
  /** SIGTERM, SIGKILL after 10 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Starts `args` with node and waits until `ready` (an HTTP URL answering 200, or a stdout line) holds. */
export async function startProcess(
  args: readonly string[],
  env: Record<string, string>,
  ready: { url: string } | { line: string },
): Promise<BenchProcess> {
  const started = performance.now();
  const proc = spawnNode(args, { env: { LOG_FORMAT: 'json', ...env }, label: args.join(' ') });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.exitCode !== null)
      throw new Error(`${args.join(' ')} exited: ${proc.lines.slice(-5).join('\n')}`);
    if (Date.now() > deadline) {
      await proc.kill();
      throw new Error(`${args.join(' ')} not ready: ${proc.lines.slice(-5).join('\n')}`);
    }
    if ('url' in ready) {
      const status = await fetch(ready.url).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
    } else if (proc.lines.some((l) => l.includes(ready.line))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const startupMs = performance.now() - started;
  return {
    child: proc.child,
    lines: proc.lines,
    startupMs,
    async rssMiB() {
      return (await memoryOf(proc.child.pid)).rssMiB;
    },
    async stop() {
      await proc.stop({ timeoutMs: 10_000 }).catch(() => proc.exited);
    },
  };
}

/** Fields of /proc/PID/status counted in kB (VmRSS, VmHWM, RssAnon, RssFile, ...), in MiB; NaN when absent. */
export async function statusMiB<K extends string>(
  pid: number | undefined,
  fields: readonly K[],
): Promise<Record<K, number>> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const mib = (field: string): number =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return Object.fromEntries(fields.map((f) => [f, mib(f)])) as Record<K, number>;
}

/** Resident set size of the process `pid` now and its peak (VmRSS and VmHWM), MiB. */
export async function memoryOf(pid: number | undefined): Promise<{ rssMiB: number; peakRssMiB: number }> {
  const m = await statusMiB(pid, ['VmRSS', 'VmHWM']);
  return { rssMiB: m.VmRSS, peakRssMiB: m.VmHWM };
}
