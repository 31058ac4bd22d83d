// W3C Trace Context (https://www.w3.org/TR/trace-context/): version-traceid-parentid-flags, lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** A parsed `traceparent`: the trace, the span it names as parent, its flags (bit 0: sampled). */
export interface Traceparent {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
}

/**
 * The fields of a valid `traceparent`, or undefined for anything else (a missing header, the reserved
 * version ff, an all-zero trace or span id, a wrong length or case). Linear in the input's length.
 */
export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== 'string' || value.length !== 55) return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

/** The version-00 `traceparent` of a span context. */
export function formatTraceparent(
  context: Traceparent | { traceId: string; spanId: string; traceFlags: number },
): string {
  const flags = 'flags' in context ? context.flags : context.traceFlags;
  return `00-${context.traceId}-${context.spanId}-${(flags & 0xff).toString(16).padStart(2, '0')}`;
}
