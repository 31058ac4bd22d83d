import { deadLetterQueueName } from '../topology.js';
import type { MemoryBroker, RecordedMessage } from './broker.js';

/**
 * What a unit test reads of the in-memory broker, awaiting instead of sleeping: what was published (and so
 * parked in a dead-letter queue) and acknowledged, and when nothing is left in flight. Read-only: it never
 * changes what the wire does.
 */
export class MemoryProbes {
  constructor(
    private readonly broker: MemoryBroker,
    /** Default timeout of the waitFor* probes. */
    private readonly waitTimeoutMs: number,
  ) {}

  /** Every message published so far to a queue (default exchange) or an exchange, in order. */
  published(queueOrExchange: string): readonly RecordedMessage[] {
    return this.broker.publishedTo(queueOrExchange);
  }

  /** Resolves with the messages published to `queueOrExchange` once there are at least `count`. */
  waitForPublished(
    queueOrExchange: string,
    count = 1,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<readonly RecordedMessage[]> {
    const what = `${count} message(s) published to ${queueOrExchange}`;
    return this.waitFor(() => atLeast(this.published(queueOrExchange), count), timeoutMs, what);
  }

  /** Messages a consumer of `queue` parked in `<queue>.dlq`, with their reason headers. */
  deadLettered(queue: string): readonly RecordedMessage[] {
    return this.broker.publishedTo(deadLetterQueueName(queue));
  }

  /** Resolves with the messages parked from `queue` once there are at least `count`. */
  waitForDeadLettered(
    queue: string,
    count = 1,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<readonly RecordedMessage[]> {
    const what = `${count} message(s) dead-lettered from ${queue}`;
    return this.waitFor(() => atLeast(this.deadLettered(queue), count), timeoutMs, what);
  }

  /** Messages acknowledged on `queue`: handled, or moved to the delay or dead-letter queue. */
  acked(queue: string): number {
    return this.broker.queues.get(queue)?.acked ?? 0;
  }

  /** Resolves with the number of acks on `queue` once there are at least `count`. */
  waitForAcked(queue: string, count = 1, timeoutMs = this.waitTimeoutMs): Promise<number> {
    const acked = (): number | undefined => (this.acked(queue) >= count ? this.acked(queue) : undefined);
    return this.waitFor(acked, timeoutMs, `${count} ack(s) on ${queue}`);
  }

  /**
   * Resolves when nothing is left to deliver, unacknowledged (a message being handled is), or delayed for
   * retry.
   */
  async waitForIdle(timeoutMs = this.waitTimeoutMs): Promise<void> {
    const idle = (): boolean => ![...this.broker.queues.values()].some((q) => q.busy);
    await this.waitFor(() => idle() || undefined, timeoutMs, 'the broker to be idle');
  }

  /** Resolves when `check` gives a value, checked now and after every change; rejects after `timeoutMs`. */
  private waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const stop = this.broker.onChange(() => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(v);
      });
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
    });
  }
}

function atLeast<T>(list: readonly T[], count: number): readonly T[] | undefined {
  return list.length >= count ? list : undefined;
}
