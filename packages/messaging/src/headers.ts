/**
 * Header names this package writes and reads. Both transports use the same names, so a message parked by
 * one looks the same as a message parked by the other.
 */
export const HeaderNames = {
  /** How many times the consumer sent the message through the delay queue. */
  retryCount: 'x-retry-count',
  /** Why the message was dead-lettered: see DeathReason. */
  deathReason: 'x-death-reason',
  /** The last error, as text (truncated). */
  error: 'x-error',
  /** The queue the message was consumed from before it was parked. */
  originalQueue: 'x-original-queue',
  /** When it was parked, ISO 8601. */
  deadLetteredAt: 'x-dead-lettered-at',
  /** W3C trace context. */
  traceparent: 'traceparent',
} as const;

/** `x-death-reason` values. */
export type DeathReason = 'invalid-message' | 'handler-failed';

/** Broker-maintained headers that must not be copied onto a republished message (the broker rewrites them). */
const brokerOwned = new Set([
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
]);

/** Headers of a received message, minus the ones the broker owns, plus `extra`. */
export function republishHeaders(
  original: Readonly<Record<string, unknown>> | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (original) for (const [k, v] of Object.entries(original)) if (!brokerOwned.has(k)) out[k] = v;
  return Object.assign(out, extra);
}

/** An error as one line of text for a header: never a stack, bounded in size. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
