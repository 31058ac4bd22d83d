import { randomFillSync } from 'node:crypto';

// W3C Trace Context (https://www.w3.org/TR/trace-context/): version-traceid-parentid-flags, lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The trace id of a valid `traceparent`, or undefined. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (match === null || match[1] === 'ff' || match[2] === ZERO_TRACE || match[3] === ZERO_SPAN)
    return undefined;
  return match[2];
}

/**
 * The `traceparent` for work this service starts on behalf of a request: the caller's trace continues (same
 * trace id and flags) with a new span of ours; without a valid incoming one, a new sampled trace begins.
 */
export function childTraceparent(incoming: string | undefined): string {
  const span = randomHex(8);
  const traceId = traceIdOf(incoming);
  if (traceId === undefined || incoming === undefined) return `00-${randomHex(16)}-${span}-01`;
  return `00-${traceId}-${span}-${incoming.slice(-2)}`;
}

// Ids come from a pool of cryptographically random bytes refilled 4 KiB at a time, as node's randomUUID does:
// one randomBytes call per id cost a fifth of the accountservice's CPU on the VIP read path.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `bytes` random bytes as lower-case hex, never all zeros (W3C forbids an all-zero trace or span id). */
function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL_SIZE) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const start = poolOffset;
    poolOffset += bytes;
    const hex = pool.toString('hex', start, poolOffset);
    if (!/^0+$/.test(hex)) return hex;
  }
}
