import type { Logger } from '@goblog/messaging';
import { silentLogger } from '@goblog/messaging';
import { within } from '@goblog/runtime';
import { backoffDelay } from './backoff.js';
import { Deferral } from './deferral.js';
import { Pacer } from './pacer.js';
import type { SleepKind } from './pacer.js';
import { publishBatch } from './publish-batch.js';
import { Removals } from './removals.js';
import type { Sent } from './publish-batch.js';
import type { OutboxEntry } from '../store/outbox-store.js';
import type { OutboxRelayOptions, RelayHealth, RelayRound } from './relay-options.js';

export type { ConnectionWatch, OutboxRelayOptions, RelayHealth, RelayRound } from './relay-options.js';

/**
 * After a round: stop (a drain found the outbox empty), go on at once, go on having published a batch, wait
 * for a batch in flight to settle (for these two, whether the round got through is known once the batch
 * settles), or sleep first.
 */
type Next =
  'drained' | 'again' | 'published' | 'window full' | { readonly sleep: SleepKind; readonly ms?: number };

const GROWTH_LOG_MS = 10_000;

/** A batch in flight this small still lets the next one go out beside it (see #mayPublishMore). */
const SMALL_BATCH = 16;

/** Unexpected failures in a row after which the relay reports itself unhealthy (one could be a blip). */
const UNHEALTHY_AFTER_FAILURES = 3;

/**
 * Moves recorded notifications from the outbox to the broker. Guarantees:
 * - an entry is removed from the outbox only after the broker confirmed it (at-least-once); an entry whose
 *   publish failed stays and is retried, with the same message id, after a backoff;
 * - entries are published in recording order, a batch at a time, all of a batch within the confirm window;
 *   with `maxBatchesInFlight` > 1 a batch is published while earlier small ones await their confirms (an
 *   entry recorded meanwhile does not wait for them; behind a large batch it does, and joins the next
 *   large one), and an entry whose publish failed goes out again after later ones;
 * - it sleeps while there is nothing to do: a committed record, the connection coming back or `stop` wakes
 *   it; its only timers are the backoff after a failure and the load check while deferring (records cut
 *   neither short);
 * - entries a previous process left behind are published first after `start`;
 * - an unexpected error (reading the outbox, a publisher that throws) does not end it: it is logged and the
 *   round is tried again after a backoff; `health()` turns not ok while such errors keep coming;
 * - with `saturated`, delivery is background work: while requests saturate the process it publishes
 *   nothing, and never lets an entry wait longer than `maxDeferMs` on that account (a burst is absorbed by
 *   the outbox and delivered after it; sustained overload delivers with a lag of about `maxDeferMs`).
 */
export class OutboxRelay {
  readonly #options: OutboxRelayOptions;
  readonly #log: Logger;
  readonly #batchSize: number;
  readonly #removals: Removals;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #pacer: Pacer;
  #running: Promise<void> | undefined;
  #stopped = false;
  #draining = false;
  #failures = 0;
  /** Unexpected errors in a row, and the last one; cleared by a round that gets through. */
  #errors = 0;
  #lastError: string | undefined;
  /** Set when the loop ended otherwise than by `stop`. */
  #ended: string | undefined;
  #lastGrowthLog = 0;
  readonly #deferral: Deferral;
  readonly #maxInFlight: number;
  /** Batches published and not yet settled (their confirms or failures not all in). */
  readonly #inFlight = new Map<Promise<void>, number>();
  /** A batch settled with failures, or its publish threw: the next round backs off first. */
  #backoff: { readonly ms: number } | undefined;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#batchSize = options.batchSize ?? 1000;
    this.#maxInFlight = Math.max(1, options.maxBatchesInFlight ?? 1);
    this.#pacer = options.pacer ?? new Pacer();
    this.#removals = new Removals(options.outbox, this.#log);
    this.#deferral = new Deferral({
      outbox: options.outbox,
      log: this.#log,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
      ...(options.saturated === undefined ? {} : { saturated: options.saturated }),
      ...(options.maxDeferMs === undefined ? {} : { maxDeferMs: options.maxDeferMs }),
      ...(options.deferCheckMs === undefined ? {} : { checkMs: options.deferCheckMs }),
    });
  }

  /** Starts relaying (first what is already in the outbox). Calling it twice has no effect. */
  start(): void {
    if (this.#running !== undefined) return;
    this.#unsubscribe.push(
      this.#options.outbox.onRecorded(() => {
        this.#pacer.wake('recorded');
      }),
    );
    const connection = this.#options.connection;
    if (connection !== undefined) {
      this.#unsubscribe.push(
        connection.onStateChange((state) => {
          if (state === 'connected') this.#pacer.wake('urgent');
        }),
      );
    }
    this.#running = this.#loop().catch((err: unknown) => {
      // Not expected (every round's errors are caught), but never silent: /health shows it.
      this.#ended = errorText(err);
      this.#log.error({ err }, 'outbox relay stopped unexpectedly');
    });
  }

  /** Calls `listener` after every publish round, once its confirmed entries are deleted. Returns an unsubscribe. */
  onRound(listener: (round: RelayRound) => void): () => void {
    return this.#removals.onRound(listener);
  }

  /** Batches it publishes while earlier ones await their confirms, at most. */
  get maxBatchesInFlight(): number {
    return this.#maxInFlight;
  }

  /** Consecutive failed publish rounds (0 when the last round succeeded). */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Not ok before `start`, after `stop`, when the loop has ended, or while unexpected errors keep coming
   * (the reason in `detail`). Publish failures do not count: the broker check and the outbox age show them.
   */
  health(): RelayHealth {
    if (this.#running === undefined) return { ok: false, detail: 'not started' };
    if (this.#ended !== undefined) return { ok: false, detail: `relay loop ended: ${this.#ended}` };
    if (this.#stopped) return { ok: false, detail: 'stopped' };
    if (this.#errors >= UNHEALTHY_AFTER_FAILURES) {
      return { ok: false, detail: `failing (${this.#errors} times in a row): ${this.#lastError ?? ''}` };
    }
    return { ok: true };
  }

  /**
   * Stops relaying. With `drainMs` > 0 it first keeps publishing until the outbox is empty or `drainMs`
   * passed. Then it waits at most `settleMs` for the batch in flight and the deletion of what was confirmed.
   * Whatever is left stays in the outbox for the next start (a batch abandoned here may be published twice,
   * under the same message ids). Safe to call twice.
   */
  async stop(drainMs = 0, settleMs = 1000): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    const running = this.#running ?? Promise.resolve();
    if (drainMs > 0 && !this.#stopped && this.#isConnected()) {
      this.#draining = true;
      this.#pacer.wake('urgent');
      await within(running, drainMs);
    }
    this.#stopped = true;
    this.#deferral.set(false);
    this.#pacer.stop();
    await within(running, settleMs);
    await within(Promise.allSettled([...this.#inFlight.keys()]), settleMs);
    await within(this.#removals.settled(), settleMs);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#pacer.beginRound();
      // A batch settled with failures (or its publish threw): back off before anything else.
      const backoff = this.#backoff;
      this.#backoff = undefined;
      if (backoff !== undefined) {
        await this.#pacer.sleep('backoff', backoff.ms);
        continue;
      }
      let next: Next;
      try {
        next = await this.#round();
        if (next !== 'published' && next !== 'window full') this.#recovered();
      } catch (err) {
        next = this.#failed(err);
      }
      if (next === 'drained') return;
      if (next === 'window full') await this.#pacer.sleep('work');
      else if (next !== 'again' && next !== 'published') await this.#pacer.sleep(next.sleep, next.ms);
    }
  }

  /** One turn of the loop: publishes a batch when it can and says what to wait for; throws the unexpected. */
  async #round(): Promise<Next> {
    if (!this.#isConnected()) {
      this.#reportGrowth();
      return { sleep: 'work' };
    }
    const deferMs = this.#deferral.delayFor(this.#draining);
    if (deferMs > 0) return { sleep: 'defer', ms: deferMs };
    // A batch that settles wakes the loop (see #publish).
    if (!this.#mayPublishMore()) return 'window full';
    const batch = await this.#options.outbox.peek(this.#batchSize, this.#removals.pending);
    if (batch.length === 0) {
      return this.#draining && this.#inFlight.size === 0 ? 'drained' : { sleep: 'work' };
    }
    this.#publish(batch);
    return 'published';
  }

  /**
   * Publishes `batch` without waiting for its confirms: its entries stay out of the next peeks until they
   * settle; then the confirmed ones are deleted, the others released, and the loop woken.
   */
  #publish(batch: readonly OutboxEntry[]): void {
    const seqs = batch.map((entry) => entry.seq);
    this.#removals.claim(seqs);
    const flight = publishBatch(this.#options, batch, this.#log).then(
      (sent) => {
        this.#recovered();
        const done = new Set(sent.done);
        this.#removals.release(seqs.filter((seq) => !done.has(seq)));
        this.#removals.remove(sent.done, sent.failed);
        if (!this.#afterPublish(sent)) this.#backoff = { ms: this.#backoffMs(this.#failures) };
      },
      (err: unknown) => {
        this.#removals.release(seqs);
        this.#backoff = this.#failed(err);
      },
    );
    const settled = flight.finally(() => {
      this.#inFlight.delete(settled);
      this.#pacer.wake('recorded');
    });
    this.#inFlight.set(settled, batch.length);
  }

  /**
   * Whether another batch may go out now: always when none is in flight; while some are, only up to
   * `maxBatchesInFlight` and only while each of them is small. At a moderate rate an entry then goes out
   * at once instead of waiting for the confirms of the one before; at a high rate the entries gather into
   * large batches, one at a time, as they did with one batch in flight (each batch costs a publish round and
   * a removal commit, which the VIP reads' outbox commits wait behind).
   */
  #mayPublishMore(): boolean {
    if (this.#inFlight.size === 0) return true;
    if (this.#inFlight.size >= this.#maxInFlight) return false;
    for (const size of this.#inFlight.values()) if (size >= SMALL_BATCH) return false;
    return true;
  }

  /** An unexpected error: logged, counted for health, and the round is tried again after a backoff. */
  #failed(err: unknown): { readonly sleep: 'backoff'; readonly ms: number } {
    this.#errors++;
    this.#lastError = errorText(err);
    this.#log.error(
      { err, attempt: this.#errors, depth: this.#safeDepth() },
      'outbox relay round failed unexpectedly; retrying after a backoff',
    );
    return { sleep: 'backoff', ms: this.#backoffMs(this.#errors) };
  }

  #recovered(): void {
    if (this.#errors === 0) return;
    this.#log.info({ failures: this.#errors }, 'outbox relay running again after unexpected errors');
    this.#errors = 0;
    this.#lastError = undefined;
  }

  #backoffMs(attempt: number): number {
    return backoffDelay(attempt, this.#options.initialBackoffMs ?? 200, this.#options.maxBackoffMs ?? 10_000);
  }

  /** The outbox depth for a log line, when the outbox can still say. */
  #safeDepth(): number | undefined {
    try {
      return this.#options.outbox.depth;
    } catch {
      return undefined;
    }
  }

  /** Counts a round that had failures (true when it had none), and says so when it changes. */
  #afterPublish(sent: Sent): boolean {
    if (sent.failed === 0) {
      if (this.#failures > 0) {
        this.#log.info(
          { failures: this.#failures, depth: this.#options.outbox.depth },
          'outbox relay publishing again',
        );
      }
      this.#failures = 0;
      return true;
    }
    this.#failures++;
    this.#log.warn(
      {
        err: sent.firstError,
        failed: sent.failed,
        depth: this.#options.outbox.depth,
        attempt: this.#failures,
      },
      'outbox publish failed; entries stay in the outbox and are retried',
    );
    return false;
  }

  /** While the broker is away the outbox grows; say so (at most every GROWTH_LOG_MS), never silently. */
  #reportGrowth(): void {
    const depth = this.#options.outbox.depth;
    const now = Date.now();
    if (depth === 0 || now - this.#lastGrowthLog < GROWTH_LOG_MS) return;
    this.#lastGrowthLog = now;
    this.#log.warn({ depth }, 'broker unavailable; VIP notifications wait in the outbox');
  }

  #isConnected(): boolean {
    return this.#options.connection === undefined || this.#options.connection.state === 'connected';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
