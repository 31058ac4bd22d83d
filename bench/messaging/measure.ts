// How the messaging bench measures: one run's throughput, client CPU per message and latencies, and rounds
// alternating ours / baseline (A B A B ...), each on a fresh queue, summed up as medians over the rounds.
import { randomUUID } from 'node:crypto';
import { median } from '../lib/stats.ts';
import type { Settings } from './workload.ts';

export interface RunResult {
  readonly msgsPerSec: number;
  /** Client CPU (user + system) per message, microseconds. */
  readonly cpuUsPerMsg: number;
  /** Publish -> handler latency, ms (end-to-end scenario only). */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** Median over rounds. */
  readonly ours: RunResult;
  readonly baseline: RunResult;
  /** ours.msgsPerSec / baseline.msgsPerSec (median of per-round ratios). */
  readonly ratio: number;
  readonly rounds: readonly { readonly ours: RunResult; readonly baseline: RunResult }[];
}

/**
 * Times `work` over `n` messages with this process's CPU (both clients run in it); the latencies it returns,
 * if any, give p50 and p99.
 */
export async function measure(n: number, work: () => Promise<number[] | undefined>): Promise<RunResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const latencies = await work();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const result: RunResult = { msgsPerSec: n / elapsed, cpuUsPerMsg: (cpu.user + cpu.system) / n };
  if (!latencies || latencies.length === 0) return result;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { ...result, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The median of each figure over the rounds; a latency only if some run had one. */
function medianResult(runs: RunResult[]): RunResult {
  const pick = (f: (r: RunResult) => number | undefined): number | undefined => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const p50Ms = pick((r) => r.p50Ms);
  const p99Ms = pick((r) => r.p99Ms);
  return {
    msgsPerSec: pick((r) => r.msgsPerSec) ?? NaN,
    cpuUsPerMsg: pick((r) => r.cpuUsPerMsg) ?? NaN,
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
  };
}

/** One side's run on `queue`, a queue of its own. */
type Side = (s: Settings, queue: string) => Promise<RunResult>;

/** `s.rounds` rounds of ours then the baseline, each run on a fresh queue. */
export async function scenario(
  name: string,
  s: Settings,
  ours: Side,
  baseline: Side,
): Promise<ScenarioResult> {
  const rounds: { ours: RunResult; baseline: RunResult }[] = [];
  for (let r = 0; r < s.rounds; r++) {
    const o = await ours(s, `bench.${name}.ours.${randomUUID().slice(0, 8)}`);
    const b = await baseline(s, `bench.${name}.raw.${randomUUID().slice(0, 8)}`);
    rounds.push({ ours: o, baseline: b });
  }
  return {
    scenario: name,
    ours: medianResult(rounds.map((r) => r.ours)),
    baseline: medianResult(rounds.map((r) => r.baseline)),
    ratio: median(rounds.map((r) => r.ours.msgsPerSec / r.baseline.msgsPerSec)),
    rounds,
  };
}
