// Runs matchesDestination on a worker thread. A matcher that never returns would block the test's own thread,
// where no timeout can fire; on a worker, the test's `{ timeout }` option still ends the test (as a failure),
// and the abort of the test's signal stops the worker.
import { Worker } from 'node:worker_threads';

/** [destination, instanceId] pairs. */
export type MatchCase = readonly [destination: string, instanceId: string];

// The worker starts from plain JavaScript: it registers tsx itself, then loads the sources like the test does.
const WORKER = `(async () => {
  const { register } = await import('tsx/esm/api');
  register();
  const { parentPort, workerData } = await import('node:worker_threads');
  const { matchesDestination } = await import('@goblog/config');
  parentPort.postMessage(workerData.map(([destination, id]) => matchesDestination(destination, id)));
})();`;

/** Resolves with matchesDestination of each case, in order; rejects when `signal` aborts first. */
export function matchOffThread(cases: readonly MatchCase[], signal: AbortSignal): Promise<boolean[]> {
  const worker = new Worker(WORKER, { eval: true, workerData: cases });
  const stop = (): void => void worker.terminate();
  signal.addEventListener('abort', stop, { once: true });
  return new Promise<boolean[]>((resolve, reject) => {
    worker.once('message', (answers: boolean[]) => {
      resolve(answers);
    });
    worker.once('error', reject);
    worker.once('exit', () => {
      reject(new Error('the matcher worker stopped before answering'));
    });
  }).finally(() => {
    signal.removeEventListener('abort', stop);
    stop();
  });
}
