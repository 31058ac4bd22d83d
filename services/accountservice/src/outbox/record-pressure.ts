import { saturation } from '@goblog/runtime';
import type { CommitWaits } from '../store/outbox-store.js';

export interface RecordPressureOptions {
  /** Reads waiting for their commit, on average over a window, at or above which it counts as loaded. Default 8. */
  readonly threshold?: number;
  /** Once saturated, the average below which it no longer is (hysteresis). Default half the threshold. */
  readonly releaseBelow?: number;
  /** Shortest window the average is taken over; within it the last answer stands. Default 100 ms. */
  readonly windowMs?: number;
  /** Monotonic ms; tests pass their own. */
  readonly now?: () => number;
}

/**
 * Whether VIP reads saturate the service, from how many of them wait for their outbox commit at once, on
 * average over a window (the time they spent waiting, divided by the window's length): under a closed-loop or
 * overloading VIP load tens of them wait behind each commit, at a moderate steady rate hardly one does. A
 * count read at one moment would not do: it is read when a commit has just resolved, as often none as all.
 * Unlike the event loop's utilisation it does not depend on the process getting the CPU: a service waiting
 * for its commits on a machine busy with other work still counts as saturated.
 * Saturation starts after two loaded windows in a row and lasts until a window falls below `releaseBelow`.
 */
export function recordPressure(waits: CommitWaits, options: RecordPressureOptions = {}): () => boolean {
  const threshold = options.threshold ?? 8;
  const now = options.now ?? (() => performance.now());
  return saturation(
    () => ({ at: now(), waitedMs: waits.commitWaitMs }),
    (from, to) => (to.waitedMs - from.waitedMs) / (to.at - from.at),
    { threshold, releaseBelow: options.releaseBelow ?? threshold / 2, windowMs: options.windowMs ?? 100 },
  );
}

/** Saturated while any of `checks` says so (they are asked in order, the rest skipped once one does). */
export function eitherPressure(...checks: readonly (() => boolean)[]): () => boolean {
  return () => checks.some((check) => check());
}
