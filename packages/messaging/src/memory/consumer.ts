import { buildMeta } from '../consume/meta.js';
import type { ConsumerSource } from '../consume/source.js';
import type { ConsumePolicy } from '../consume/policy.js';
import { processDelivery, type Outcome } from '../consume/process.js';
import { HeaderNames, republishHeaders } from '../headers.js';
import type { Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import type { ConsumeStats } from '../metrics.js';
import { deadLetterQueueName, retryQueueName } from '../topology.js';
import type { Handler, Subscription } from '../transport.js';
import type { MemoryBroker } from './broker.js';
import type { Envelope, MemoryProperties, MemoryQueue, QueueSubscriber } from './queue.js';

export interface MemoryConsumerHost {
  readonly broker: MemoryBroker;
  readonly logger: Logger;
  readonly closeTimeoutMs: number;
  /** Publishes through the owning transport (waits while it is disconnected, like the real one). */
  republish(routingKey: string, body: Buffer, props: MemoryProperties): Promise<void>;
}

/** The in-memory twin of AmqpConsumer: same prefetch, concurrency, retry, dead-letter and ack rules. */
export class MemoryConsumer<T> implements Subscription, QueueSubscriber {
  readonly prefetch: number;
  unacked = 0;
  private queue: MemoryQueue | undefined;
  private active = 0;
  private backlog: { env: Envelope; tag: number; queue: MemoryQueue }[] = [];
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(
    private readonly host: MemoryConsumerHost,
    private readonly type: MessageType,
    private readonly handler: Handler<T>,
    private readonly policy: ConsumePolicy,
    private readonly source: ConsumerSource,
    private readonly owner: object,
    private readonly stats: ConsumeStats,
  ) {
    this.prefetch = policy.prefetch;
  }

  get consuming(): boolean {
    return this.queue !== undefined && this.closing === undefined;
  }

  /** Declares the queue (a fresh private one for pub/sub) and starts taking deliveries. */
  attach(): void {
    if (this.closing !== undefined) return;
    const b = this.host.broker;
    const src = this.source;
    if (src.kind === 'work') {
      this.queue = b.declareWorkQueue(src.queue, src.queueType);
    } else {
      b.declareExchange(src.exchange, src.exchangeType);
      this.queue = b.declareQueue(src.queue, { owner: this.owner });
      b.bind(src.queue, src.exchange, src.bindingKey);
    }
    this.queue.subscribe(this);
  }

  /** The connection is gone: unacknowledged messages return to the queue; a private queue disappears. */
  detach(): void {
    const q = this.queue;
    if (q === undefined) return;
    this.queue = undefined;
    this.backlog = [];
    q.unsubscribe(this);
    if (this.source.kind === 'fanout') this.host.broker.deleteQueue(q.name);
  }

  deliver(env: Envelope, tag: number): void {
    const q = this.queue;
    if (q === undefined) return;
    this.stats.consumed();
    if (this.closing !== undefined) q.nack(tag);
    else if (this.active < this.policy.concurrency) void this.handle(env, tag, q);
    else this.backlog.push({ env, tag, queue: q });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async handle(env: Envelope, tag: number, q: MemoryQueue): Promise<void> {
    this.active++;
    this.host.broker.busy++;
    try {
      const meta = buildMeta(env.body, env.props, env.redelivered);
      const outcome = await processDelivery(
        this.type,
        this.handler,
        meta,
        this.policy,
        this.stats,
        this.source.kind === 'work',
      );
      if (outcome.kind === 'ack') this.ack(q, tag, true);
      else await this.afterFailure(outcome, env, tag, q, meta.retryCount);
    } finally {
      this.active--;
      this.host.broker.busy--;
      this.next();
      this.host.broker.changed();
    }
  }

  /** `handled`: the handler succeeded (counted as acked); else the message was moved or dropped. */
  private ack(q: MemoryQueue, tag: number, handled = false): void {
    if (!q.ack(tag)) return; // the "connection" dropped meanwhile: the message was requeued
    if (handled) this.stats.acked();
    this.host.broker.recordAck(q.name);
  }

  private async afterFailure(
    outcome: Exclude<Outcome, { kind: 'ack' }>,
    env: Envelope,
    tag: number,
    q: MemoryQueue,
    retryCount: number,
  ): Promise<void> {
    const log = this.host.logger;
    const consumer = this.policy.consumerName;
    const messageId = env.props.messageId;
    if (this.source.kind === 'fanout') {
      const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
      log.warn({ consumer, messageId, reason, err: outcome.error }, 'message dropped');
      this.stats.dropped(reason);
      this.ack(q, tag);
      return;
    }
    const queue = this.source.queue;
    const retry = outcome.kind === 'retry';
    const target = retry ? retryQueueName(queue) : deadLetterQueueName(queue);
    const headers = retry
      ? republishHeaders(env.props.headers, {
          [HeaderNames.retryCount]: retryCount + 1,
          [HeaderNames.error]: outcome.error,
          [HeaderNames.originalQueue]: queue,
        })
      : republishHeaders(env.props.headers, {
          [HeaderNames.deathReason]: outcome.reason,
          [HeaderNames.error]: outcome.error,
          [HeaderNames.originalQueue]: queue,
          [HeaderNames.retryCount]: retryCount,
          [HeaderNames.deadLetteredAt]: new Date().toISOString(),
        });
    const props: MemoryProperties = retry
      ? { ...env.props, headers, expiration: String(outcome.delayMs) }
      : { ...env.props, headers };
    try {
      await this.host.republish(target, env.body, props);
    } catch (err) {
      log.error(
        { consumer, messageId, target, err: err instanceof Error ? err.message : String(err) },
        'could not move message; requeued',
      );
      q.nack(tag);
      return;
    }
    if (retry) {
      this.stats.retried('delayed');
      log.warn(
        { consumer, messageId, retry: retryCount + 1, err: outcome.error },
        'message scheduled for retry',
      );
    } else {
      this.stats.deadLettered(outcome.reason);
      this.host.broker.recordParked(target, { body: env.body, props, deliveries: 0, redelivered: false });
      log.error(
        { consumer, messageId, queue: target, reason: outcome.reason, err: outcome.error },
        'message dead-lettered',
      );
    }
    this.ack(q, tag);
  }

  private next(): void {
    while (this.active < this.policy.concurrency && this.backlog.length > 0) {
      const p = this.backlog.shift();
      if (p !== undefined && p.queue === this.queue) void this.handle(p.env, p.tag, p.queue);
    }
    if (this.idle !== undefined && this.active === 0) this.idle();
  }

  private async shutdown(): Promise<void> {
    this.queue?.cancel(this);
    for (const p of this.backlog.splice(0)) p.queue.nack(p.tag);
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.host.closeTimeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const q = this.queue;
    this.queue = undefined;
    if (q !== undefined) {
      q.unsubscribe(this);
      if (this.source.kind === 'fanout') this.host.broker.deleteQueue(q.name);
    }
  }
}
