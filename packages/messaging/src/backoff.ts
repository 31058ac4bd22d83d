/** Exponential backoff with full jitter over [base/2, base], so channels re-opening together spread out. */
export function backoffDelay(attempt: number, initialMs = 100, maxMs = 5000): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}
