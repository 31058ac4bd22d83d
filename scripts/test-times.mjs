// A node:test reporter that prints, once the run is over, the time each test file took, slowest first: which
// files the suite's time goes to. `npm test` runs one file at a time, so the events come in runs, one file's
// after another's; a run's time is from the end of the run before it to its own last event (process start
// and module loading included). Tests defined by a shared harness (a file under support/) carry the
// harness's file name, so they are named by their top-level test instead. Used beside the spec reporter
// (see package.json); it writes nothing while the tests run. Plain JavaScript: the runner loads reporters
// before tsx's hooks apply.
import { relative } from 'node:path';
import process from 'node:process';

const SHOWN = 15;

/** @param {AsyncIterable<{ type: string, data?: { file?: string, nesting?: number, name?: string } }>} source */
export default async function* fileTimes(source) {
  const started = Date.now();
  /** @type {{ file: string, from: number, to: number, top?: string }[]} */
  const runs = [];
  for await (const event of source) {
    const file = event.data?.file;
    if (file === undefined || event.type === 'test:enqueue') continue;
    const now = Date.now();
    let run = runs.at(-1);
    if (run?.file !== file) {
      run = { file, from: run?.to ?? started, to: now };
      runs.push(run);
    }
    run.to = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data?.nesting === 0)
      run.top ??= event.data.name;
  }
  /** @type {Map<string, number>} */
  const byName = new Map();
  for (const run of runs) {
    const file = relative(process.cwd(), run.file);
    const name = file.includes('/support/') && run.top !== undefined ? `${run.top} (${file})` : file;
    byName.set(name, (byName.get(name) ?? 0) + run.to - run.from);
  }
  const rows = [...byName].sort((a, b) => b[1] - a[1]);
  yield `\nslowest test files (of ${rows.length}, ${Math.round((Date.now() - started) / 1000)} s in all):\n`;
  for (const [name, ms] of rows.slice(0, SHOWN)) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${name}\n`;
}
