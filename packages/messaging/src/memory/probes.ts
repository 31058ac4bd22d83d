import { deadLetterQueueName } from '../topology.js';
import type { MemoryBroker, RecordedMessage } from './broker.js';

/**
 * What a unit test reads of the in-memory broker, awaiting instead of sleeping: what was published, parked
 * and acknowledged, and when nothing is left in flight. Read-only: it never changes what the wire does.
 */
export class MemoryProbes {
  constructor(
    readonly broker: MemoryBroker,
    /** Default timeout of the waitFor* probes. */
    protected readonly waitTimeoutMs: number,
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
    return this.broker.waitFor(
      () => {
        const list = this.broker.publishedTo(queueOrExchange);
        return list.length >= count ? list : undefined;
      },
      timeoutMs,
      `${count} message(s) published to ${queueOrExchange}`,
    );
  }

  /** Messages parked in `<queue>.dlq` (by a consumer, or by the delivery limit), with their reason headers. */
  deadLettered(queue: string): readonly RecordedMessage[] {
    return this.broker.parkedIn(deadLetterQueueName(queue));
  }

  waitForDeadLettered(
    queue: string,
    count = 1,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<readonly RecordedMessage[]> {
    const dlq = deadLetterQueueName(queue);
    return this.broker.waitFor(
      () => {
        const list = this.broker.parkedIn(dlq);
        return list.length >= count ? list : undefined;
      },
      timeoutMs,
      `${count} message(s) dead-lettered from ${queue}`,
    );
  }

  /** Messages acknowledged on `queue`: handled, or moved to the delay or dead-letter queue. */
  acked(queue: string): number {
    return this.broker.ackedOn(queue);
  }

  waitForAcked(queue: string, count = 1, timeoutMs = this.waitTimeoutMs): Promise<number> {
    return this.broker.waitFor(
      () => {
        const n = this.broker.ackedOn(queue);
        return n >= count ? n : undefined;
      },
      timeoutMs,
      `${count} ack(s) on ${queue}`,
    );
  }

  /** Resolves when nothing is left to deliver, unacknowledged, delayed for retry, or being handled. */
  waitForIdle(timeoutMs = this.waitTimeoutMs): Promise<void> {
    return this.broker
      .waitFor(() => this.broker.idle, timeoutMs, 'the broker to be idle')
      .then(() => undefined);
  }
}
