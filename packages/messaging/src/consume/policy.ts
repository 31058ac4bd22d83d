import { OptionChecks } from '../options.js';
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

/** Default consumer options. */
export const CONSUMER_DEFAULTS = {
  prefetch: 50,
  immediateAttempts: 3,
  delayedRetries: 3,
  retryDelayMs: 1000,
} as const;

/** Applies the defaults and checks every option; throws MessagingError INVALID_OPTIONS naming every bad one. */
export function resolvePolicy(options: ConsumerOptions): ConsumePolicy {
  const check = new OptionChecks('consumer');
  if (!options.consumerName) check.problem('consumerName', 'is required', options.consumerName);
  const d = CONSUMER_DEFAULTS;
  const prefetch = check.integer('prefetch', options.prefetch, d.prefetch, 1);
  const policy: ConsumePolicy = {
    consumerName: options.consumerName,
    prefetch,
    concurrency: Math.min(prefetch, check.integer('concurrency', options.concurrency, prefetch, 1)),
    immediateAttempts: check.integer('immediateAttempts', options.immediateAttempts, d.immediateAttempts, 1),
    delayedRetries: check.integer('delayedRetries', options.delayedRetries, d.delayedRetries, 0),
    retryDelayMs: check.integer('retryDelayMs', options.retryDelayMs, d.retryDelayMs, 1),
  };
  check.done();
  return policy;
}

/** Delay before the (retryCount + 1)-th delayed retry: exponential, capped at one hour. */
export function retryDelay(policy: ConsumePolicy, retryCount: number): number {
  return Math.min(policy.retryDelayMs * 2 ** retryCount, 3_600_000);
}
