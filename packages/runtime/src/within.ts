/**
 * Resolves when `promise` settles (fulfilled or rejected: the outcome is not passed on) or after `ms`,
 * whichever comes first; the timer is cleared either way, so it never holds the process up. For waits
 * that must be bounded, such as a shutdown's steps.
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
