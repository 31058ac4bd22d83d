/**
 * How long delivery waits because requests saturate the process, given the oldest entry's record time:
 * 0 to publish now (nothing waits, or the oldest has waited `maxDeferMs`), else until the next load check
 * (`checkMs`) but never past the oldest entry's deadline. Pure: the relay asks it only while under load.
 */
export function deferDelay(
  oldestRecordedAt: number | undefined,
  now: number,
  maxDeferMs: number,
  checkMs: number,
): number {
  if (oldestRecordedAt === undefined) return 0;
  const untilTooOld = oldestRecordedAt + maxDeferMs - now;
  return untilTooOld > 0 ? Math.min(untilTooOld, checkMs) : 0;
}
