import type { Middleware } from '../transport.js';

export interface RetryOptions {
  /** Total attempts, the first included. Default 3. */
  readonly attempts?: number;
  /** Pause before the second attempt, doubled for each further one. Default 100. */
  readonly delayMs?: number;
  /** Only errors for which this returns true are retried (e.g. transient I/O). Default: all. */
  readonly retryIf?: (err: unknown) => boolean;
}

/**
 * Retries a handler in-process with exponential backoff, for transient failures that should not cost a trip
 * through the delay queue (a database briefly busy). The consumer's own retry and dead-lettering still apply
 * to the error that finally escapes.
 */
export function retry<T>(options: RetryOptions = {}): Middleware<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const delayMs = options.delayMs ?? 100;
  const retryIf = options.retryIf ?? (() => true);
  return (next) => async (message, meta) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await next(message, meta);
        return;
      } catch (err) {
        if (attempt >= attempts || !retryIf(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
      }
    }
  };
}
