import type { ConnectionState, Logger, MessageType, Publisher } from '@goblog/messaging';
import { isMessagingError, silentLogger } from '@goblog/messaging';
import type { OutboxEntry, OutboxReader } from '../store/outbox-store.js';
import type { VipNotificationSchema } from '@goblog/contracts';
import type { OutboxMetrics } from './outbox-metrics.js';
import { backoffDelay } from './backoff.js';
import { deferDelay } from './deferral.js';
import { Pacer } from './pacer.js';
import type { SleepKind } from './pacer.js';

/** The part of a transport the relay watches: it publishes only while connected. */
export interface ConnectionWatch {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

export interface OutboxRelayOptions {
  readonly outbox: OutboxReader;
  readonly publisher: Publisher;
  readonly messageType: MessageType<typeof VipNotificationSchema>;
  readonly connection?: ConnectionWatch;
  readonly appId?: string;
  readonly logger?: Logger;
  readonly metrics?: OutboxMetrics;
  /** Entries published at once, all within the publisher's confirm window. Default 1000. */
  readonly batchSize?: number;
  /** First retry delay after a failed publish, doubled per failure. Default 200 ms. */
  readonly initialBackoffMs?: number;
  /** Longest retry delay. Default 10 s. */
  readonly maxBackoffMs?: number;
  /**
   * True while the process is saturated with request work (see `loopPressure` in @goblog/runtime). The
   * relay then gives way: it publishes nothing until the load eases or an entry would wait longer than
   * `maxDeferMs`, and the broker's share of the CPU (and of the disk) goes to requests. Without it the relay
   * never defers.
   */
  readonly saturated?: () => boolean;
  /** While deferring, how often the relay checks whether the load has eased. Default 250 ms. */
  readonly deferCheckMs?: number;
  /** The longest a notification waits because the relay defers: older entries go out at full speed. Default 10 s. */
  readonly maxDeferMs?: number;
  /** The relay's scheduler; tests pass one that records what the relay asked to sleep for. */
  readonly pacer?: Pacer;
}

/** After a round: stop (a drain found the outbox empty), go on at once, or sleep first. */
type Next = 'drained' | 'again' | { readonly sleep: SleepKind; readonly ms?: number };

/** What publishing a batch came to: the entries to delete (confirmed or discarded) and the failures. */
interface Sent {
  readonly done: number[];
  failed: number;
  firstError: unknown;
}

const GROWTH_LOG_MS = 10_000;

/** Unexpected failures in a row after which the relay reports itself unhealthy (one could be a blip). */
const UNHEALTHY_AFTER_FAILURES = 3;

/** The relay as /health sees it. */
export interface RelayHealth {
  readonly ok: boolean;
  /** Why it is not ok: not started, stopped, its loop ended, or the error it keeps failing with. */
  readonly detail?: string;
}

/** What one publish round achieved; reported after its confirmed entries are deleted. */
export interface RelayRound {
  readonly published: number;
  readonly failed: number;
  /** Outbox depth after the round's deletions. */
  readonly depth: number;
}

/**
 * Moves recorded notifications from the outbox to the broker. Guarantees:
 * - an entry is removed from the outbox only after the broker confirmed it (at-least-once); an entry whose
 *   publish failed stays and is retried, with the same message id, after a backoff;
 * - entries are published in recording order, a batch at a time, all of a batch within the confirm window;
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
  /** Confirmed entries whose deletion is not committed yet: never published twice by this process. */
  readonly #removing = new Set<number>();
  readonly #removals = new Set<Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #roundListeners = new Set<(round: RelayRound) => void>();
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
  #deferring = false;
  #lastDeferLog = 0;

  constructor(options: OutboxRelayOptions) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger;
    this.#batchSize = options.batchSize ?? 1000;
    this.#pacer = options.pacer ?? new Pacer();
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
    this.#roundListeners.add(listener);
    return () => this.#roundListeners.delete(listener);
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
    this.#setDeferring(false);
    this.#pacer.stop();
    await within(running, settleMs);
    await within(Promise.allSettled([...this.#removals]), settleMs);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#pacer.beginRound();
      let next: Next;
      try {
        next = await this.#round();
        this.#recovered();
      } catch (err) {
        next = this.#failed(err);
      }
      if (next === 'drained') return;
      if (next !== 'again') await this.#pacer.sleep(next.sleep, next.ms);
    }
  }

  /** One turn of the loop: publishes a batch when it can and says what to wait for; throws the unexpected. */
  async #round(): Promise<Next> {
    if (!this.#isConnected()) {
      this.#reportGrowth();
      return { sleep: 'work' };
    }
    const deferMs = this.#deferFor();
    if (deferMs > 0) return { sleep: 'defer', ms: deferMs };
    const batch = await this.#options.outbox.peek(this.#batchSize, this.#removing);
    if (batch.length === 0) return this.#draining ? 'drained' : { sleep: 'work' };
    const sent = await this.#publish(batch);
    this.#remove(sent.done, sent.failed);
    if (this.#afterPublish(sent)) return 'again';
    return { sleep: 'backoff', ms: this.#backoffMs(this.#failures) };
  }

  /** An unexpected error: logged, counted for health, and the round is tried again after a backoff. */
  #failed(err: unknown): Next {
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

  /** How long to wait before the next round because requests saturate the process (0: publish now). */
  #deferFor(): number {
    // The load first (usually a cached answer); only under load does the oldest entry's age matter (one read,
    // no batch read while deferring).
    const underLoad = !this.#draining && this.#options.saturated?.() === true;
    const delay = underLoad
      ? deferDelay(
          this.#options.outbox.oldestRecordedAt(),
          Date.now(),
          this.#options.maxDeferMs ?? 10_000,
          this.#options.deferCheckMs ?? 250,
        )
      : 0;
    this.#setDeferring(delay > 0);
    return delay;
  }

  #setDeferring(deferring: boolean): void {
    if (deferring === this.#deferring) return;
    this.#deferring = deferring;
    this.#options.metrics?.deferring.set(deferring ? 1 : 0);
    const now = Date.now();
    if (deferring && now - this.#lastDeferLog >= GROWTH_LOG_MS) {
      this.#lastDeferLog = now;
      this.#log.info(
        { depth: this.#options.outbox.depth },
        'requests saturate the service; outbox delivery deferred until the load eases',
      );
    }
  }

  /** Publishes a batch, all of it at once; says which entries are done (confirmed or discarded) and what failed. */
  async #publish(batch: readonly OutboxEntry[]): Promise<Sent> {
    const { publisher, messageType, appId } = this.#options;
    const results = await Promise.allSettled(
      batch.map((entry) =>
        publisher.publish(messageType, entry.body, {
          messageId: entry.messageId,
          timestamp: entry.recordedAt,
          ...(appId === undefined ? {} : { appId }),
          ...(entry.traceparent === undefined ? {} : { traceparent: entry.traceparent }),
        }),
      ),
    );
    const sent: Sent = { done: [], failed: 0, firstError: undefined };
    let discarded = 0;
    results.forEach((result, i) => {
      const entry = batch[i];
      if (entry === undefined) return;
      if (result.status === 'fulfilled') {
        sent.done.push(entry.seq);
      } else if (isMessagingError(result.reason, 'INVALID_MESSAGE')) {
        // Can never be published (a damaged entry); retrying it forever would only hold the backoff up.
        this.#log.error(
          { err: result.reason, messageId: entry.messageId },
          'discarding an unpublishable outbox entry',
        );
        this.#options.metrics?.discarded.inc();
        discarded++;
        sent.done.push(entry.seq);
      } else {
        sent.failed++;
        sent.firstError ??= result.reason;
        this.#options.metrics?.publishFailures.inc({
          code: isMessagingError(result.reason) ? result.reason.code : 'UNKNOWN',
        });
      }
    });
    const published = sent.done.length - discarded;
    if (published > 0) this.#options.metrics?.published.inc(published);
    return sent;
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

  #remove(seqs: number[], failed: number): void {
    for (const seq of seqs) this.#removing.add(seq);
    const removal = this.#options.outbox.remove(seqs).then(
      () => {
        for (const seq of seqs) this.#removing.delete(seq);
        const round: RelayRound = { published: seqs.length, failed, depth: this.#options.outbox.depth };
        for (const listener of this.#roundListeners) listener(round);
      },
      (err: unknown) => {
        // They stay marked: this process will not resend them; a restarted one will (same message ids).
        this.#log.error({ err, count: seqs.length }, 'could not delete confirmed outbox entries');
      },
    );
    this.#removals.add(removal);
    void removal.finally(() => this.#removals.delete(removal));
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

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
