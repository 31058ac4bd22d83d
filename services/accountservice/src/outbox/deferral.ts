import type { Logger } from '@goblog/messaging';
import type { OutboxReader } from '../store/outbox-store.js';
import type { OutboxMetrics } from './outbox-metrics.js';

/**
 * How long delivery waits because requests saturate the process, given the oldest entry's record time:
 * 0 to publish now (nothing waits, or the oldest has waited `maxDeferMs`), else until the next load check
 * (`checkMs`) but never past the oldest entry's deadline. Pure: the relay asks it only while under load.
 */
export function deferDelay(
  oldestRecordedAt: number | undefined,
  now: number,
  maxDeferMs: number,
  checkMs: number,
): number {
  if (oldestRecordedAt === undefined) return 0;
  const untilTooOld = oldestRecordedAt + maxDeferMs - now;
  return untilTooOld > 0 ? Math.min(untilTooOld, checkMs) : 0;
}

export interface DeferralOptions {
  readonly outbox: OutboxReader;
  readonly log: Logger;
  readonly metrics?: OutboxMetrics;
  /** The load signal; without it delivery is never deferred. */
  readonly saturated?: () => boolean;
  readonly maxDeferMs?: number;
  readonly checkMs?: number;
}

const DEFER_LOG_MS = 10_000;

/**
 * The relay's decision to give way to requests, with what shows it: `outbox_relay_deferring` is 1 exactly
 * while it defers, and it logs the start of a deferral at most every 10 s.
 */
export class Deferral {
  readonly #o: DeferralOptions;
  #deferring = false;
  #lastLog = 0;

  constructor(options: DeferralOptions) {
    this.#o = options;
  }

  /** How long to wait before publishing because requests saturate the process (0: publish now). */
  delayFor(draining: boolean): number {
    // The load first (usually a cached answer); only under load does the oldest entry's age matter (one read,
    // no batch read while deferring).
    const underLoad = !draining && this.#o.saturated?.() === true;
    const delay = underLoad
      ? deferDelay(
          this.#o.outbox.oldestRecordedAt(),
          Date.now(),
          this.#o.maxDeferMs ?? 10_000,
          this.#o.checkMs ?? 250,
        )
      : 0;
    this.set(delay > 0);
    return delay;
  }

  /** Says whether delivery is deferred now (the relay clears it when it stops). */
  set(deferring: boolean): void {
    if (deferring === this.#deferring) return;
    this.#deferring = deferring;
    this.#o.metrics?.deferring.set(deferring ? 1 : 0);
    const now = Date.now();
    if (deferring && now - this.#lastLog >= DEFER_LOG_MS) {
      this.#lastLog = now;
      this.#o.log.info(
        { depth: this.#o.outbox.depth },
        'requests saturate the service; outbox delivery deferred until the load eases',
      );
    }
  }
}
