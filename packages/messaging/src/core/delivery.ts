import { buildMeta } from '../consume/meta.js';
import type { ConsumePolicy } from '../consume/policy.js';
import { invalid, retryAfterFailure, type Failure } from '../consume/process.js';
import type { ConsumerSource } from '../consume/source.js';
import { HeaderNames } from '../headers.js';
import type { Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import type { ConsumeStats } from '../metrics.js';
import { deadLetterQueueName, retryQueueName } from '../topology.js';
import type { Handler, MessageMeta } from '../transport.js';
import { moveDelivery, type MoveResult } from './move.js';
import type { PublishProperties, ReceivedProperties } from './properties.js';
import { bareRepublishProps, republishProps } from './republish.js';
import { processSpan, type ProcessSpan } from './tracing.js';

/** One message as a wire delivered it, with the wire's way to settle it. */
export interface Delivery {
  readonly body: Buffer;
  readonly properties: ReceivedProperties;
  readonly redelivered: boolean;
  /** True while the delivery can still be settled where it came from (its channel is open). */
  readonly owned: boolean;
  /** Acknowledges it; false when it is no longer owned (the broker has requeued it). */
  ack(): boolean;
  /** Gives it back to its queue, to be delivered again. */
  requeue(): void;
}

/** What the delivery core needs from the wire besides the deliveries. */
export interface DeliveryWire<D extends Delivery = Delivery> {
  /** Publishes a copy to `queue` through the default exchange; resolves once the broker has confirmed it. */
  republish(queue: string, body: Buffer, props: PublishProperties): Promise<void>;
  /** Declares the consumer's work queue topology again (a delay or dead-letter queue was deleted). */
  redeclare(delivery: D): Promise<void>;
  /** A copy of `delivery` was parked in `queue` (the memory wire's probes record it). */
  parked?(queue: string, delivery: D, props: PublishProperties): void;
  /** A delivery is being handled / is done (the memory wire's idle probe counts them). */
  started?(): void;
  finished?(): void;
}

export interface DeliveryCoreSettings<T, D extends Delivery> {
  readonly type: MessageType;
  readonly handler: Handler<T>;
  readonly policy: ConsumePolicy;
  readonly source: ConsumerSource;
  readonly stats: ConsumeStats;
  /** Handler timing costs two clock reads per message: only when someone collects it. */
  readonly timed: boolean;
  readonly logger: Logger;
  readonly closeTimeoutMs: number;
  readonly wire: DeliveryWire<D>;
}

/**
 * The consumer's policy, written once for every wire: at most `concurrency` handlers at a time, the rest in
 * arrival order; decode, then the first attempt (no async frame of its own when the handler succeeds), the
 * remaining immediate attempts, then a delayed retry through `<queue>.retry`, a park in `<queue>.dlq`, or a
 * drop (pub/sub); every copy confirmed before the original is acked, and a copy the broker refuses never
 * retried in a loop. Exactly one ack or requeue per delivery, or none when the wire lost it (the broker
 * requeues it then).
 */
export class DeliveryCore<T, D extends Delivery = Delivery> {
  private active = 0;
  private backlog: D[] = [];
  private closing = false;
  private idle: (() => void) | undefined;
  /** Aborted on close: moves waiting to try again give up (the broker requeues their deliveries). */
  private readonly stopping = new AbortController();

  constructor(private readonly s: DeliveryCoreSettings<T, D>) {}

  deliver(d: D): void {
    this.s.stats.consumed();
    if (this.closing) d.requeue();
    else if (this.active < this.s.policy.concurrency) this.handle(d);
    else this.backlog.push(d);
  }

  /** Drops waiting deliveries the wire lost (their channel closed: the broker has requeued them). */
  forgetLost(): void {
    this.backlog = this.backlog.filter((d) => d.owned);
  }

  /**
   * Stops taking deliveries: gives back those waiting, lets moves waiting to try again give up, and waits
   * for the handlers in flight, at most `closeTimeoutMs`. Resolves with the number still running then.
   */
  async drain(): Promise<number> {
    this.closing = true;
    this.stopping.abort();
    for (const d of this.backlog.splice(0)) d.requeue();
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.s.closeTimeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.active;
  }

  /** The hot path: decode, call the handler, ack on success. Failures leave it for `failed`. */
  private handle(d: D): void {
    this.active++;
    this.s.wire.started?.();
    const meta = buildMeta(d.body, d.properties, d.redelivered);
    // With tracing on, the delivery is handled (and its log lines written) inside its process span.
    const span = processSpan(this.s.source, this.s.policy.consumerName, meta);
    if (span === undefined) this.run(d, meta, undefined);
    else {
      span.within(() => {
        this.run(d, meta, span);
      });
    }
  }

  private run(d: D, meta: MessageMeta, span: ProcessSpan | undefined): void {
    let value: T;
    try {
      value = this.s.type.decode(d.body) as T;
    } catch (err) {
      span?.failed(err);
      this.finish(this.afterFailure(invalid(err), d, meta.retryCount), span);
      return;
    }
    const timed = this.s.timed;
    const started = timed ? performance.now() : 0;
    let running: Promise<void>;
    try {
      running = Promise.resolve(this.s.handler(value, meta));
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    running.then(
      () => {
        if (timed) this.s.stats.handlerDone((performance.now() - started) / 1000);
        if (d.ack()) this.s.stats.acked();
        span?.end();
        this.done();
      },
      (err: unknown) => {
        if (timed) this.s.stats.handlerDone((performance.now() - started) / 1000);
        span?.failed(err);
        this.finish(this.failed(d, meta, value, err), span);
      },
    );
  }

  private async failed(d: D, meta: MessageMeta, value: T, err: unknown): Promise<void> {
    const { handler, policy, stats, source } = this.s;
    const outcome = await retryAfterFailure(handler, value, meta, policy, stats, source.kind === 'work', err);
    if (outcome.kind === 'ack') {
      if (d.ack()) stats.acked();
      return;
    }
    await this.afterFailure(outcome, d, meta.retryCount);
  }

  private finish(slow: Promise<void>, span?: ProcessSpan): void {
    slow
      .catch((err: unknown) => {
        this.s.logger.error(
          { consumer: this.s.policy.consumerName, err: errorMessage(err) },
          'delivery handling failed',
        );
      })
      .finally(() => {
        span?.end();
        this.done();
      });
  }

  private done(): void {
    this.active--;
    this.s.wire.finished?.();
    while (this.active < this.s.policy.concurrency && this.backlog.length > 0) {
      const d = this.backlog.shift() as D;
      if (d.owned) this.handle(d);
    }
    if (this.idle !== undefined && this.active === 0) this.idle();
  }

  /** Retry through the delay queue, park in the DLQ (work queue) or drop (pub/sub); then ack. */
  private async afterFailure(outcome: Failure, d: D, retryCount: number): Promise<void> {
    const { logger: log, stats, source: src } = this.s;
    const consumer = this.s.policy.consumerName;
    const messageId = d.properties.messageId;
    if (src.kind === 'fanout') {
      const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
      log.warn({ consumer, messageId, reason, err: outcome.error }, 'message dropped');
      stats.dropped(reason);
      d.ack();
      return;
    }
    const queue = src.queue;
    if (outcome.kind === 'retry') {
      const ours = {
        [HeaderNames.retryCount]: retryCount + 1,
        [HeaderNames.error]: outcome.error,
        [HeaderNames.originalQueue]: queue,
      };
      const target = retryQueueName(queue);
      const { result } = await this.move(d, target, ours, String(outcome.delayMs));
      if (result === 'gone') return;
      if (result === 'moved') {
        stats.retried('delayed');
        log.warn(
          { consumer, messageId, retry: retryCount + 1, delayMs: outcome.delayMs, err: outcome.error },
          'message scheduled for retry',
        );
        d.ack();
        return;
      }
      if (result === 'unavailable') {
        this.requeue(d, target);
        return;
      }
      // The delay queue refuses it for good: park it rather than retry it in a loop.
    }
    const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
    const target = deadLetterQueueName(queue);
    const ours = {
      [HeaderNames.deathReason]: reason,
      [HeaderNames.error]: outcome.error,
      [HeaderNames.originalQueue]: queue,
      [HeaderNames.retryCount]: retryCount,
      [HeaderNames.deadLetteredAt]: new Date().toISOString(),
    };
    const { result, props } = await this.move(d, target, ours, undefined);
    if (result === 'gone') return;
    if (result === 'moved') {
      stats.deadLettered(reason);
      this.s.wire.parked?.(target, d, props);
      log.error({ consumer, messageId, queue: target, reason, err: outcome.error }, 'message dead-lettered');
      d.ack();
    } else if (result === 'unavailable') {
      this.requeue(d, target);
    } else {
      // The broker refuses the parked copy for good (e.g. a capped dead-letter queue that rejects
      // publishes): the operator's cap wins over keeping the message.
      stats.dropped('dead-letter-refused');
      log.error(
        { consumer, messageId, queue: target, reason, err: outcome.error },
        'message dropped: the dead-letter queue refused it',
      );
      d.ack();
    }
  }

  /** Publishes a copy of `d` to `target` with bounded attempts (see moveDelivery). Confirmed before the ack. */
  private async move(
    d: D,
    target: string,
    ours: Record<string, unknown>,
    expiration: string | undefined,
  ): Promise<{ result: MoveResult; props: PublishProperties }> {
    const props = republishProps(d.properties, ours);
    const bareProps = bareRepublishProps(props, ours);
    if (expiration !== undefined) {
      props.expiration = expiration;
      bareProps.expiration = expiration;
    }
    const log = this.s.logger;
    const consumer = this.s.policy.consumerName;
    const messageId = d.properties.messageId;
    let sent = props;
    const result = await moveDelivery({
      publish: (p) => {
        sent = p;
        return this.s.wire.republish(target, d.body, p);
      },
      props,
      bareProps,
      redeclare: () => this.s.wire.redeclare(d),
      owned: () => d.owned,
      signal: this.stopping.signal,
      failed: (attempt, code, err) => {
        const fields = { consumer, messageId, target, attempt, code, err: errorMessage(err) };
        if (attempt === 1) log.warn(fields, 'could not move message; trying again');
        else log.debug(fields, 'could not move message; trying again');
      },
    });
    return { result, props: sent };
  }

  /** Every attempt to move `d` failed for want of a broker: back to its queue, to be handled again later. */
  private requeue(d: D, target: string): void {
    this.s.logger.error(
      { consumer: this.s.policy.consumerName, messageId: d.properties.messageId, target },
      'could not move message; requeued',
    );
    d.requeue();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
