import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '@goblog/messaging';
import { steadyClock } from './steady-clock.js';

export interface DedupPrunerOptions {
  readonly store: { pruneDedup(cutoffMs: number, limit: number): Promise<number> };
  /** How long a dedup record is kept, read at each run (so a configuration refresh applies). */
  readonly retentionMs: () => number;
  /**
   * The shortest retention, whatever `retentionMs` says, and how long this process must have run before it
   * prunes at all (see the class's guarantee).
   */
  readonly floorMs: number;
  /** Between runs. Default 10 minutes. */
  readonly intervalMs?: number;
  /** Records removed per transaction. Default 500. */
  readonly batchSize?: number;
  readonly logger: Logger;
  readonly onPruned?: (count: number) => void;
  /** The wall clock, in the store's terms (ms since epoch, as records are stamped). Default Date.now. */
  readonly now?: () => number;
  /** A monotonic clock (ms, any origin), immune to wall-clock steps. Default performance.now. */
  readonly monotonic?: () => number;
}

/**
 * Keeps the dedup records from growing for ever: every `intervalMs` (from start on) it removes those
 * older than the retention, oldest first, in small transactions with the event loop free in between, so
 * message handling (which competes for the same writer lock) barely notices. A redelivery older than the
 * retention would be counted again: the default of 7 days is far beyond any broker redelivery.
 * With several instances on one store each prunes; the work is idempotent.
 *
 * Records carry wall-clock stamps, so a step of the clock forward would make young records look old. Against
 * that, whatever the wall clock does:
 * - the retention is never shorter than `floorMs`;
 * - "now" is the earlier of the wall clock and a steady clock (see steadyClock) started with the pruner: a
 *   step forward while the process runs prunes nothing early, a step back only prunes later;
 * - nothing is pruned before the process has run for `floorMs`: the age of records made before it started
 *   cannot be vouched for (the clock may have stepped meanwhile), but by then each has existed that long.
 * Guarantees: a record stamped with the store's steady clock in this process is kept for the retention in
 * monotonic time; a record made before the process started is kept at least `floorMs`. (A record another
 * instance stamps while both run is judged by that instance's steady clock; only a wall-clock step between
 * their starts can shift it.) The price: a process restarted more often than `floorMs` never prunes.
 */
export class DedupPruner {
  readonly #options: DedupPrunerOptions;
  readonly #now: () => number;
  readonly #monotonic: () => number;
  readonly #steady: () => number;
  readonly #startedAt: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(options: DedupPrunerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#steady = steadyClock(this.#now, this.#monotonic);
    this.#startedAt = this.#monotonic();
  }

  start(): void {
    this.#schedule(0);
  }

  /** Prunes until nothing old is left (or stop); resolves with the number removed. */
  runOnce(): Promise<number> {
    this.#running ??= this.#prune().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops the schedule and waits for a run in progress to finish its current batch. Safe to call twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.runOnce()
        .catch((err: unknown) => {
          this.#options.logger.error({ err }, 'pruning dedup records failed; will try again');
        })
        .finally(() => {
          this.#schedule(this.#options.intervalMs ?? 600_000);
        });
    }, delayMs);
    this.#timer.unref();
  }

  /** Records stamped before this may go (ms since epoch); undefined while nothing may (see the guarantee). */
  #cutoff(): number | undefined {
    const { floorMs } = this.#options;
    if (this.#monotonic() - this.#startedAt < floorMs) return undefined;
    const now = Math.min(this.#now(), this.#steady());
    return now - Math.max(this.#options.retentionMs(), floorMs);
  }

  async #prune(): Promise<number> {
    const { store, batchSize = 500 } = this.#options;
    const cutoff = this.#cutoff();
    if (cutoff === undefined) return 0;
    let total = 0;
    while (!this.#stopped) {
      const removed = await store.pruneDedup(cutoff, batchSize);
      total += removed;
      if (removed > 0) this.#options.onPruned?.(removed);
      if (removed < batchSize) break;
      await yieldToEventLoop();
    }
    if (total > 0)
      this.#options.logger.info(
        { removed: total, cutoff: new Date(cutoff).toISOString() },
        'pruned old dedup records',
      );
    return total;
  }
}
