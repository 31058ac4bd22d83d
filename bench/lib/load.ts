import autocannon from 'autocannon';
import { cpuSecondsOf } from './cpu.ts';
import { haveWrk, runWrk } from './wrk.ts';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly ok: number;
  readonly errors: number;
  /** Which load generator drove the run. */
  readonly generator: 'wrk' | 'autocannon';
  /** CPU seconds the load generator used; undefined for autocannon, which runs inside the bench process. */
  readonly clientCpuSeconds?: number;
  /** Server CPU time per request, microseconds (when the server's pid was given). */
  readonly cpuUsPerRequest?: number;
}

export interface LoadOptions {
  readonly durationSec: number;
  readonly connections: number;
  /** The server's pid: its CPU time during the run is measured, and reported per request. */
  readonly serverPid?: number;
}

/**
 * Closed-loop HTTP load. With Debian's wrk installed (what `.ci/run` and the docs set up) it drives the run
 * from a separate C process whose CPU is reported; otherwise autocannon, in this process, sharing the cores.
 */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const pid = options.serverPid;
  const cpuBefore = pid === undefined ? 0 : await cpuSecondsOf(pid);
  const result = haveWrk() ? await viaWrk(url, options) : await viaAutocannon(url, options);
  if (pid === undefined || result.total === 0) return result;
  const serverCpu = (await cpuSecondsOf(pid)) - cpuBefore;
  return { ...result, cpuUsPerRequest: (serverCpu * 1e6) / result.total };
}

async function viaWrk(url: string, options: LoadOptions): Promise<LoadResult> {
  const r = await runWrk(url, options);
  return {
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    total: r.requests,
    ok: r.requests - r.non2xx,
    errors: r.non2xx + r.socketErrors,
    generator: 'wrk',
    clientCpuSeconds: r.cpuSeconds,
  };
}

async function viaAutocannon(url: string, options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSec,
    pipelining: 1,
  });
  return {
    requestsPerSecond: result.requests.total / options.durationSec,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    ok: result['2xx'],
    errors: result.errors + result.non2xx + result.timeouts,
    generator: 'autocannon',
  };
}
