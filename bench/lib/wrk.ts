import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** What one wrk run printed, in the units the bench reports. */
export interface WrkResult {
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds wrk itself used (user + system): the load generator's share of the machine. */
  readonly cpuSeconds: number;
}

export const WRK = '/usr/bin/wrk';

/** True when Debian's wrk is installed (`.ci/run` installs it; `apt-get install wrk` elsewhere). */
export function haveWrk(): boolean {
  try {
    accessSync(WRK, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(text: string, percent: string): number {
  const m = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1) : Number.NaN;
}

/** Parses wrk's --latency report; throws on output that is not one (so a broken run is never a figure). */
export function parseWrk(text: string, cpuSeconds: number): WrkResult {
  const requests = /^\s*(\d+) requests in /m.exec(text);
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!requests || !rate) throw new Error(`wrk printed no result:\n${text.slice(0, 500)}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(requests[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
    requestsPerSecond: Number(rate[1]),
    p50Ms: latencyMs(text, '50'),
    p99Ms: latencyMs(text, '99'),
    cpuSeconds,
  };
}

/**
 * One closed-loop wrk run (one thread: the load generator is a C program using a fraction of one core, so
 * the server under test keeps the rest). Its own CPU time comes from bash's `times` for its children.
 */
export async function runWrk(
  url: string,
  options: { readonly durationSec: number; readonly connections: number },
): Promise<WrkResult> {
  const script = `"${WRK}" -t1 -c${options.connections} -d${options.durationSec}s --latency "$1"; s=$?; times; exit $s`;
  const child = spawn('bash', ['-c', script, 'wrk', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`wrk exited ${String(code)}: ${err.slice(0, 300)}`);
  // `times` prints the shell's own user/system times, then its children's: the last line is wrk's.
  const last = out.trimEnd().split('\n').at(-1) ?? '';
  const [user, system] = [...last.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return parseWrk(out, (user ?? 0) + (system ?? 0));
}
