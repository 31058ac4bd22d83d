import { buildMeta } from '../consume/meta.js';
import type { ConsumePolicy } from '../consume/policy.js';
import { invalid, retryAfterFailure } from '../consume/process.js';
import type { ConsumerSource } from '../consume/source.js';
import type { Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import { noConsumeStats, type ConsumeStats, type MessagingMetrics } from '../metrics.js';
import type { Handler, MessageMeta } from '../transport.js';
import { FailureRoute } from './failure-route.js';
import type { PublishProperties, ReceivedProperties } from './properties.js';
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
}

/** One subscription as a wire's consumer is made with: what it consumes, with which handler and policy. */
export interface ConsumerSpec<T = unknown> {
  readonly type: MessageType;
  readonly handler: Handler<T>;
  readonly policy: ConsumePolicy;
  readonly source: ConsumerSource;
}

/** What the delivery core takes from the wire's consumer besides the subscription. */
export interface DeliveryCoreSettings<D extends Delivery> {
  /** Counted per consumer when given; handler time is measured only then (two clock reads per message). */
  readonly metrics: MessagingMetrics | undefined;
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
  private readonly failures: FailureRoute<D>;
  private readonly stats: ConsumeStats;
  private readonly timed: boolean;

  constructor(
    private readonly spec: ConsumerSpec<T>,
    private readonly settings: DeliveryCoreSettings<D>,
  ) {
    const metrics = settings.metrics;
    this.stats = metrics ? metrics.forConsumer(spec.policy.consumerName) : noConsumeStats;
    this.timed = metrics !== undefined;
    this.failures = new FailureRoute<D>({
      consumerName: spec.policy.consumerName,
      source: spec.source,
      stats: this.stats,
      logger: settings.logger,
      wire: settings.wire,
      signal: this.stopping.signal,
    });
  }

  deliver(d: D): void {
    this.stats.consumed();
    if (this.closing) d.requeue();
    else if (this.active < this.spec.policy.concurrency) this.handle(d);
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
        const timer = setTimeout(resolve, this.settings.closeTimeoutMs);
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
    const meta = buildMeta(d.body, d.properties, d.redelivered);
    // With tracing on, the delivery is handled (and its log lines written) inside its process span.
    const span = processSpan(this.spec.source, this.spec.policy.consumerName, meta);
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
      value = this.spec.type.decode(d.body) as T;
    } catch (err) {
      span?.failed(err);
      this.finish(this.failures.route(invalid(err), d, meta.retryCount), span);
      return;
    }
    const timed = this.timed;
    const started = timed ? performance.now() : 0;
    let running: Promise<void>;
    try {
      running = Promise.resolve(this.spec.handler(value, meta));
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    running.then(
      () => {
        if (timed) this.stats.handlerDone((performance.now() - started) / 1000);
        if (d.ack()) this.stats.acked();
        span?.end();
        this.done();
      },
      (err: unknown) => {
        if (timed) this.stats.handlerDone((performance.now() - started) / 1000);
        span?.failed(err);
        this.finish(this.failed(d, meta, value, err), span);
      },
    );
  }

  private async failed(d: D, meta: MessageMeta, value: T, err: unknown): Promise<void> {
    const { handler, policy, source } = this.spec;
    const stats = this.stats;
    const outcome = await retryAfterFailure(handler, value, meta, policy, stats, source.kind === 'work', err);
    if (outcome.kind === 'ack') {
      if (d.ack()) stats.acked();
      return;
    }
    await this.failures.route(outcome, d, meta.retryCount);
  }

  private finish(slow: Promise<void>, span?: ProcessSpan): void {
    slow
      .catch((err: unknown) => {
        this.settings.logger.error(
          { consumer: this.spec.policy.consumerName, err: errorMessage(err) },
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
    while (this.active < this.spec.policy.concurrency && this.backlog.length > 0) {
      const d = this.backlog.shift() as D;
      if (d.owned) this.handle(d);
    }
    if (this.idle !== undefined && this.active === 0) this.idle();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
