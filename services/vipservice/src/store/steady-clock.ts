/**
 * Wall-clock time (ms since epoch) that a step of the system clock does not move: the wall clock read once,
 * then advanced by a monotonic clock. Dedup records stamped with it keep their true age relative to each
 * other and to the pruner's view, whatever the wall clock does while the process runs.
 */
export function steadyClock(
  wall: () => number = Date.now,
  monotonic: () => number = () => performance.now(),
): () => number {
  const wallAtStart = wall();
  const monotonicAtStart = monotonic();
  return () => wallAtStart + (monotonic() - monotonicAtStart);
}
