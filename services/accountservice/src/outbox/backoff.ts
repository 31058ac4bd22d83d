/**
 * Exponential backoff with full jitter, capped: attempt 1 waits up to `initialMs`, each further attempt up
 * to twice as long, never more than `maxMs`. Jitter keeps restarted instances from retrying in lockstep.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
