import { setTimeout as sleep } from 'node:timers/promises';
import { isMessagingError, type MessagingErrorCode } from '../errors.js';
import { backoffDelay } from '../backoff.js';
import type { PublishProperties } from './properties.js';

/**
 * How a move of a delivery to its delay or dead-letter queue ended.
 * - `moved`: the broker confirmed the copy;
 * - `gone`: the delivery's channel closed meanwhile (the broker has requeued the original) or the consumer
 *   is closing;
 * - `refused`: the broker keeps refusing the copy (a capped queue with `reject-publish`, a queue that cannot
 *   be declared, a copy that cannot be encoded), so trying again cannot help;
 * - `unavailable`: the broker was away, blocked or slow for every attempt.
 */
export type MoveResult = 'moved' | 'gone' | 'refused' | 'unavailable';

export interface MoveAttempts {
  /** Confirmed publishes tried at most, with backoff in between. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const MOVE_ATTEMPTS: MoveAttempts = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4000 };

export interface Move {
  readonly publish: (props: PublishProperties) => Promise<void>;
  readonly props: PublishProperties;
  /** The properties to fall back on when the copy cannot be encoded. */
  readonly bareProps: PublishProperties;
  /** Declares the target again (after UNROUTABLE: it was deleted under us). */
  readonly redeclare: () => Promise<void>;
  /** False once the delivery can no longer be acked (its channel closed). */
  readonly owned: () => boolean;
  /** Aborted when the consumer closes. */
  readonly signal: AbortSignal;
  /** Each failed attempt, for the log. */
  readonly failed: (attempt: number, code: MessagingErrorCode | undefined, err: unknown) => void;
}

const permanent = new Set<MessagingErrorCode>(['NACKED', 'UNROUTABLE', 'INVALID_MESSAGE', 'DECLARE_FAILED']);

/**
 * Publishes a copy of a delivery with bounded attempts and backoff, so that a copy the broker refuses can
 * never turn into a hot loop. Never throws.
 */
export async function moveDelivery(move: Move, limits: MoveAttempts = MOVE_ATTEMPTS): Promise<MoveResult> {
  let props = move.props;
  let lastPermanent = false;
  for (let attempt = 1; attempt <= limits.attempts; attempt++) {
    if (!move.owned() || move.signal.aborted) return 'gone';
    try {
      await move.publish(props);
      return 'moved';
    } catch (err) {
      const code = isMessagingError(err) ? err.code : undefined;
      lastPermanent = code !== undefined && permanent.has(code);
      move.failed(attempt, code, err);
      if (code === 'INVALID_MESSAGE') props = move.bareProps;
      if (code === 'UNROUTABLE') await move.redeclare().catch(() => undefined);
    }
    if (attempt === limits.attempts) break;
    const delay = backoffDelay(attempt, limits.initialDelayMs, limits.maxDelayMs);
    try {
      await sleep(delay, undefined, { signal: move.signal });
    } catch {
      return 'gone';
    }
  }
  if (!move.owned() || move.signal.aborted) return 'gone';
  return lastPermanent ? 'refused' : 'unavailable';
}
