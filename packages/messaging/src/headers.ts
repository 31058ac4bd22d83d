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
  /** Properties and headers of the received message left out of the parked copy (they could not be encoded). */
  droppedProperties: 'x-dropped-properties',
  /** W3C trace context. */
  traceparent: 'traceparent',
} as const;

/** `x-death-reason` values. */
export type DeathReason = 'invalid-message' | 'handler-failed';

/**
 * Headers that must not be copied onto a republished message: the ones the broker maintains (it rewrites
 * them), and the sender-selected distribution headers `CC` and `BCC`, which the broker acts on: a parked
 * copy that kept `CC: [<work queue>]` would also be routed back to the work queue, again and again.
 */
export const notCopiedHeaders: ReadonlySet<string> = new Set([
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
  'CC',
  'BCC',
]);

/** AMQP short strings (header names, most properties) are at most 255 bytes. */
export const SHORTSTR_MAX_BYTES = 255;

/** Headers of a received message, minus the ones not to copy, plus `extra`. */
export function republishHeaders(
  original: Readonly<Record<string, unknown>> | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (original) {
    for (const [k, v] of Object.entries(original)) {
      if (!notCopiedHeaders.has(k) && k !== '__proto__' && Buffer.byteLength(k) <= SHORTSTR_MAX_BYTES)
        out[k] = v;
    }
  }
  return Object.assign(out, extra);
}

/**
 * Names of the received headers that `republishHeaders` leaves out because they cannot be encoded again
 * (a name of invalid UTF-8 decodes with U+FFFD and can grow past 255 bytes). Bounded, for a header value.
 */
export function unencodableHeaderNames(original: Readonly<Record<string, unknown>> | undefined): string[] {
  if (!original) return [];
  return Object.keys(original)
    .filter((k) => Buffer.byteLength(k) > SHORTSTR_MAX_BYTES)
    .slice(0, 8)
    .map((k) => `headers.${k.slice(0, 32)}`);
}

/** An error as one line of text for a header: never a stack, bounded in size. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
