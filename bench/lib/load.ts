import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly ok: number;
  readonly errors: number;
}

/** Closed-loop HTTP load with autocannon (pinned in the lockfile), from this process. */
export async function load(
  url: string,
  options: { durationSec: number; connections: number },
): Promise<LoadResult> {
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
  };
}
