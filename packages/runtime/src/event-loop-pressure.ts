import { performance } from 'node:perf_hooks';
import { saturation } from './saturation.js';

/** Running totals the pressure check compares between two moments, all in ms. */
export interface LoadReading {
  /** Monotonic time of the reading. */
  readonly at: number;
  /** Time the event loop was active (not waiting for I/O or timers) since the process started. */
  readonly busyMs: number;
  /** CPU time (user + system) the process used since it started. */
  readonly cpuMs: number;
}

export interface LoopPressureOptions {
  /** Utilisation (0..1) at or above which a window counts as loaded. Default 0.75. */
  readonly threshold?: number;
  /**
   * Once saturated, the utilisation below which it stops counting as saturated (hysteresis, so that a
   * service near the threshold does not flip at every window). Default 0.6; at most `threshold`.
   */
  readonly releaseBelow?: number;
  /** Shortest window the utilisation is measured over. Default 100 ms. */
  readonly windowMs?: number;
  /** Where the readings come from; tests pass their own. Default this process's event loop and CPU time. */
  readonly read?: () => LoadReading;
}

/** This process's event-loop activity and CPU time. */
export function readLoad(): LoadReading {
  const cpu = process.cpuUsage();
  return {
    at: performance.now(),
    busyMs: performance.eventLoopUtilization().active,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/**
 * Whether this process is saturated with its own work, for background work that should give way to
 * requests. Returns a cheap check: it measures the utilisation since the previous measurement (at least
 * `windowMs` ago) and otherwise repeats the last answer.
 *
 * A window's utilisation is the smaller of the event loop's active share and the process's CPU share of it.
 * The loop counts as active while a callback runs even when the process is kept off the CPU by other
 * processes, so on a machine busy with other work the loop share alone reads high at any request rate;
 * the process's own CPU time says whether it is the one doing the work.
 *
 * Saturation starts after two loaded windows in a row (at least `threshold`): one window says nothing about
 * a sustained load (startup's module loading and compilation, a collection, one burst of callbacks fill one).
 * It lasts until a window falls below `releaseBelow`. The defaults sit between what a service answering
 * requests at full load keeps busy and what the outbox relay draining a backlog on its own does (the
 * benchmark's http-vip scenario measures both).
 */
export function loopPressure(options: LoopPressureOptions = {}): () => boolean {
  const threshold = options.threshold ?? 0.75;
  return saturation(
    options.read ?? readLoad,
    (from, to) => Math.min(to.busyMs - from.busyMs, to.cpuMs - from.cpuMs) / (to.at - from.at),
    { threshold, releaseBelow: options.releaseBelow ?? 0.6, windowMs: options.windowMs ?? 100 },
  );
}
