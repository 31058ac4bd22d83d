import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '@goblog/messaging';

export interface DedupPrunerOptions {
  readonly store: { pruneDedup(cutoffMs: number, limit: number): Promise<number> };
  /** How long a dedup record is kept, read at each run (so a configuration refresh applies). */
  readonly retentionMs: () => number;
  /** Between runs. Default 10 minutes. */
  readonly intervalMs?: number;
  /** Records removed per transaction. Default 500. */
  readonly batchSize?: number;
  readonly logger: Logger;
  readonly onPruned?: (count: number) => void;
  readonly now?: () => number;
}

/**
 * Keeps the dedup records from growing for ever: every `intervalMs` (and once at start) it removes those
 * older than the retention, oldest first, in small transactions with the event loop free in between, so
 * message handling (which competes for the same writer lock) barely notices. A redelivery older than the
 * retention would be counted again: the default of 7 days is far beyond any broker redelivery.
 * With several instances on one store each prunes; the work is idempotent.
 */
export class DedupPruner {
  readonly #options: DedupPrunerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(options: DedupPrunerOptions) {
    this.#options = options;
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

  async #prune(): Promise<number> {
    const { store, batchSize = 500, now = Date.now } = this.#options;
    const cutoff = now() - this.#options.retentionMs();
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
