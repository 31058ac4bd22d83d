import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

export interface LoopPressureOptions {
  /** Event-loop utilisation (0..1) at or above which the process starts to count as saturated. Default 0.75. */
  readonly threshold?: number;
  /**
   * Once saturated, the utilisation below which it stops counting as saturated (hysteresis, so that a
   * service near the threshold does not flip at every window). Default 0.6; at most `threshold`.
   */
  readonly releaseBelow?: number;
  /** Shortest window the utilisation is measured over. Default 100 ms. */
  readonly windowMs?: number;
}

/**
 * Whether this process's event loop is saturated, for background work that should give way to requests.
 * Returns a cheap check: it measures the event-loop utilisation since the previous measurement (at least
 * `windowMs` ago) and otherwise repeats the last answer. Saturation starts at `threshold` and lasts until
 * the utilisation falls below `releaseBelow`. The defaults sit between what a service answering requests at
 * full load keeps busy and what the outbox relay draining a backlog on its own does (the benchmark's http-vip
 * scenario measures both).
 */
export function loopPressure(options: LoopPressureOptions = {}): () => boolean {
  const threshold = options.threshold ?? 0.75;
  const releaseBelow = Math.min(options.releaseBelow ?? 0.6, threshold);
  const windowMs = options.windowMs ?? 100;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let lastAt = performance.now();
  let saturated = false;
  return () => {
    const now = performance.now();
    if (now - lastAt >= windowMs) {
      const current = performance.eventLoopUtilization();
      const utilization = performance.eventLoopUtilization(current, last).utilization;
      saturated = utilization >= (saturated ? releaseBelow : threshold);
      last = current;
      lastAt = now;
    }
    return saturated;
  };
}
