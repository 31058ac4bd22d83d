export interface SaturationOptions {
  /** Level at or above which a window counts as loaded. */
  readonly threshold: number;
  /** Once saturated, the level below which it stops counting as saturated (hysteresis); at most `threshold`. */
  readonly releaseBelow: number;
  /** Shortest window a level is measured over; within it the last answer stands. */
  readonly windowMs: number;
}

/**
 * A saturation signal over running totals: each call reads them (`read`, with its monotonic time `at`) and,
 * once at least `windowMs` passed since the last measurement, takes `level` of the window between the two
 * readings. Saturation starts after two loaded windows in a row (one says nothing about a sustained load)
 * and lasts until a window falls below `releaseBelow`. Between measurements it repeats its last answer.
 */
export function saturation<R extends { readonly at: number }>(
  read: () => R,
  level: (from: R, to: R) => number,
  options: SaturationOptions,
): () => boolean {
  const releaseBelow = Math.min(options.releaseBelow, options.threshold);
  let last = read();
  let saturated = false;
  let lastLoaded = false;
  return () => {
    const current = read();
    if (current.at - last.at < options.windowMs) return saturated;
    const value = level(last, current);
    const loaded = value >= options.threshold;
    saturated = saturated ? value >= releaseBelow : loaded && lastLoaded;
    lastLoaded = loaded;
    last = current;
    return saturated;
  };
}
