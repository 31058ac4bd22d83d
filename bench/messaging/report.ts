// The messaging bench's results as text, for its command line: per scenario the ratio, each side's median
// figures and every round's throughput.
import type { RunResult, ScenarioResult } from './measure.ts';

function fmt(r: RunResult): string {
  const lat =
    r.p50Ms === undefined ? '' : `  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${(r.p99Ms ?? NaN).toFixed(1)} ms`;
  return `${Math.round(r.msgsPerSec).toString().padStart(7)} msg/s  ${r.cpuUsPerMsg.toFixed(1).padStart(5)} µs CPU/msg${lat}`;
}

export function report(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.scenario}  (ratio ours/baseline ${r.ratio.toFixed(2)})`);
    lines.push(`  ours      ${fmt(r.ours)}`);
    lines.push(`  baseline  ${fmt(r.baseline)}`);
    r.rounds.forEach((x, i) => {
      lines.push(
        `    round ${i + 1}: ours ${Math.round(x.ours.msgsPerSec)} / baseline ${Math.round(x.baseline.msgsPerSec)} msg/s`,
      );
    });
  }
  return lines.join('\n');
}
