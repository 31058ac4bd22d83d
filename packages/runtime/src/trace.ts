import { randomFillSync } from 'node:crypto';
import { parseTraceparent } from '@goblog/telemetry';

/** The trace id of a valid `traceparent`, or undefined. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
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
