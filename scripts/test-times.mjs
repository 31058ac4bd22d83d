// A node:test reporter that prints, once the run is over, the time each test file took, slowest first: which
// files the suite's time goes to. `npm test` runs one file at a time, so a file's time is from the end of the
// file before it to its own last event (its process start and module loading included). Used beside the spec
// reporter (see package.json); it writes nothing while the tests run. Plain JavaScript: the runner loads
// reporters before tsx's hooks apply.
import { relative } from 'node:path';
import process from 'node:process';

const SHOWN = 15;

/** @param {AsyncIterable<{ type: string, data?: { file?: string } }>} source */
export default async function* fileTimes(source) {
  /** @type {Map<string, number>} the time of each file's last event */
  const lastEvent = new Map();
  const started = Date.now();
  for await (const event of source) {
    const file = event.data?.file;
    if (file === undefined || event.type === 'test:enqueue') continue;
    lastEvent.set(file, Date.now());
  }
  const ordered = [...lastEvent].sort((a, b) => a[1] - b[1]);
  const rows = ordered.map(([file, at], i) => ({
    file: relative(process.cwd(), file),
    ms: at - (i === 0 ? started : (ordered[i - 1]?.[1] ?? started)),
  }));
  rows.sort((a, b) => b.ms - a.ms);
  yield `\nslowest test files (of ${rows.length}, ${Math.round((Date.now() - started) / 1000)} s in all):\n`;
  for (const r of rows.slice(0, SHOWN)) yield `${(r.ms / 1000).toFixed(1).padStart(7)} s  ${r.file}\n`;
}
