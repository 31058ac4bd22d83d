import { writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@goblog/testkit';
import { ratioChart } from './chart.ts';

/** One line of the results table. Throughputs are per second in `unit`; latencies in ms; RSS in MiB. */
export interface Row {
  readonly scenario: string;
  readonly unit: string;
  readonly ours: number;
  readonly baseline?: number;
  readonly baselineName?: string;
  readonly target?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly rssMiB?: number;
  readonly notes?: string;
  /** Lowest and highest of the rounds behind `ours` and `baseline`: a ratio inside the overlap is noise. */
  readonly oursRange?: readonly [number, number];
  readonly baselineRange?: readonly [number, number];
  /** CPU time per operation (median of the rounds), microseconds: what noise moves far less than rates. */
  readonly cpuUs?: number;
  readonly baselineCpuUs?: number;
}

export function ratio(row: Row): number | undefined {
  return row.baseline === undefined || row.baseline === 0 ? undefined : row.ours / row.baseline;
}

const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined || Number.isNaN(v)
    ? '-'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function printTable(rows: readonly Row[]): void {
  const header = [
    'scenario',
    'ours (min-max)',
    'baseline (min-max)',
    'ratio',
    'target',
    'CPU us/op ours/base',
    'p50 ms',
    'p99 ms',
    'RSS MiB',
    'notes',
  ];
  const range = (r: readonly [number, number] | undefined): string =>
    r === undefined ? '' : ` (${fmt(r[0])}-${fmt(r[1])})`;
  const body = rows.map((r) => {
    const q = ratio(r);
    const verdict = r.target === undefined || q === undefined ? '' : q >= r.target ? ' ok' : ' BELOW';
    return [
      r.scenario,
      `${fmt(r.ours)}${range(r.oursRange)} ${r.unit}`,
      r.baseline === undefined
        ? '-'
        : `${fmt(r.baseline)}${range(r.baselineRange)} (${r.baselineName ?? 'baseline'})`,
      q === undefined ? '-' : `${fmt(q, 2)}${verdict}`,
      r.target === undefined ? '-' : `>= ${r.target}`,
      r.cpuUs === undefined ? '-' : `${fmt(r.cpuUs, 1)} / ${fmt(r.baselineCpuUs, 1)}`,
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.rssMiB, 0),
      r.notes ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
}

export async function writeResults(
  rows: readonly Row[],
  options: { quick: boolean; rounds: number },
): Promise<string> {
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const doc = {
    date: new Date().toISOString(),
    quick: options.quick,
    rounds: options.rounds,
    machine: {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      // The machine's load when the run ended (1, 5, 15 minutes): a busy machine makes every figure noisier.
      loadAverage: loadavg().map((v) => Number(v.toFixed(2))),
    },
    results: rows.map((r) => ({ ...r, ratio: ratio(r) })),
  };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
  const caption = `npm run bench${options.quick ? ' --quick' : ''}, ${doc.date.slice(0, 10)}, load ${doc.machine.loadAverage.join(' ')}`;
  await writeFile(join(dir, 'latest.svg'), ratioChart(rows, caption));
  return file;
}
