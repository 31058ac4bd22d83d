// @goblog/messaging against a plain amqplib script doing the same work, side by side in one process:
// 200-byte JSON bodies, persistent messages with the same properties, a confirm channel with the same window,
// consumer prefetch 500, the same kind of queue (classic by default, as the package declares them).
// Rounds alternate ours / baseline (A B A B ...). This file is the command line; the scenarios live in
// bench/messaging/ (publish.ts, consume.ts, end-to-end.ts; ours.ts and raw.ts are the two clients,
// measure.ts the rounds, workload.ts the bodies and settings).
//
//   node --import tsx --conditions=source bench/messaging.ts [--messages 20000] [--rounds 3]
//     [--queue-type classic|quorum] [--no-coalesce] [--only publish|consume|end-to-end]
//
// The bench runner takes the scenarios from bench/messaging/*.ts (see bench/scenarios/messaging.ts).
import { pathToFileURL } from 'node:url';
import { benchConsume } from './messaging/consume.ts';
import { benchEndToEnd } from './messaging/end-to-end.ts';
import type { ScenarioResult } from './messaging/measure.ts';
import { benchPublish } from './messaging/publish.ts';
import { report } from './messaging/report.ts';
import type { BenchOptions } from './messaging/workload.ts';

async function main(): Promise<void> {
  const text = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const arg = (name: string): number | undefined => {
    const v = Number(text(name) ?? NaN);
    return Number.isFinite(v) ? v : undefined;
  };
  const queueType = text('queue-type');
  if (queueType !== undefined && queueType !== 'classic' && queueType !== 'quorum') {
    throw new Error(`--queue-type must be classic or quorum, got ${queueType}`);
  }
  const options: BenchOptions = {
    ...(arg('messages') === undefined ? {} : { messages: arg('messages') }),
    ...(arg('rounds') === undefined ? {} : { rounds: arg('rounds') }),
    ...(queueType === undefined ? {} : { queueType }),
    ...(process.argv.includes('--no-coalesce') ? { coalesceWrites: false } : {}),
  };
  const scenarios = { publish: benchPublish, consume: benchConsume, 'end-to-end': benchEndToEnd };
  const only = text('only');
  const chosen = Object.entries(scenarios).filter(([name]) => only === undefined || name === only);
  if (chosen.length === 0) throw new Error(`--only must be one of ${Object.keys(scenarios).join(', ')}`);
  const results: ScenarioResult[] = [];
  for (const [, run] of chosen) results.push(await run(options));
  process.stdout.write(`${report(results)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
