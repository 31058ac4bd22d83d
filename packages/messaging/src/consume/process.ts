import { errorText, type DeathReason } from '../headers.js';
import type { ConsumeStats } from '../metrics.js';
import type { Handler, MessageMeta } from '../transport.js';
import { retryDelay, type ConsumePolicy } from './policy.js';

/** What the transport must do with a delivery once the handler has had its go. */
export type Outcome =
  | { readonly kind: 'ack' }
  /** Send through the delay queue with `retryCount` + 1, then ack. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  /** Park in the dead-letter queue (work queue) or drop (pub/sub), then ack. */
  | { readonly kind: 'give-up'; readonly reason: DeathReason; readonly error: string };

export type Failure = Exclude<Outcome, { kind: 'ack' }>;

export const ACK: Outcome = { kind: 'ack' };

/** The outcome for a body that cannot be decoded or fails its schema: no retry can fix it. */
export function invalid(err: unknown): Failure {
  return { kind: 'give-up', reason: 'invalid-message', error: errorText(err) };
}

/**
 * After the first attempt failed with `firstError`: the remaining immediate attempts, then the decision
 * (delayed retry or give up). `delayed` is false for pub/sub subscriptions, which have no delay queue.
 */
export async function retryAfterFailure<T>(
  handler: Handler<T>,
  value: T,
  meta: MessageMeta,
  policy: ConsumePolicy,
  stats: ConsumeStats,
  delayed: boolean,
  firstError: unknown,
): Promise<Outcome> {
  let lastError = firstError;
  for (let attempt = 2; attempt <= policy.immediateAttempts; attempt++) {
    stats.retried('immediate');
    const started = performance.now();
    try {
      await handler(value, meta);
      stats.handlerDone((performance.now() - started) / 1000);
      return ACK;
    } catch (err) {
      stats.handlerDone((performance.now() - started) / 1000);
      lastError = err;
    }
  }
  if (delayed && meta.retryCount < policy.delayedRetries) {
    return { kind: 'retry', delayMs: retryDelay(policy, meta.retryCount), error: errorText(lastError) };
  }
  return { kind: 'give-up', reason: 'handler-failed', error: errorText(lastError) };
}
