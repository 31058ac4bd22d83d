import type { ConsumerOptions } from '../transport.js';

/** ConsumerOptions with defaults applied and checked. */
export interface ConsumePolicy {
  readonly consumerName: string;
  readonly prefetch: number;
  readonly concurrency: number;
  readonly immediateAttempts: number;
  readonly delayedRetries: number;
  readonly retryDelayMs: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw new RangeError(`consumer option ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

export function resolvePolicy(options: ConsumerOptions): ConsumePolicy {
  if (!options.consumerName) throw new RangeError('consumer option consumerName is required');
  const prefetch = positiveInt('prefetch', options.prefetch, 50, 1);
  return {
    consumerName: options.consumerName,
    prefetch,
    concurrency: Math.min(prefetch, positiveInt('concurrency', options.concurrency, prefetch, 1)),
    immediateAttempts: positiveInt('immediateAttempts', options.immediateAttempts, 3, 1),
    delayedRetries: positiveInt('delayedRetries', options.delayedRetries, 3, 0),
    retryDelayMs: positiveInt('retryDelayMs', options.retryDelayMs, 1000, 1),
  };
}

/** Delay before the (retryCount + 1)-th delayed retry: exponential, capped at one hour. */
export function retryDelay(policy: ConsumePolicy, retryCount: number): number {
  return Math.min(policy.retryDelayMs * 2 ** retryCount, 3_600_000);
}
