import { randomUUID } from 'node:crypto';
import type { ConsumerSource } from '../consume/source.js';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { buildMeta } from '../consume/meta.js';
import type { ConsumePolicy } from '../consume/policy.js';
import { invalid, retryAfterFailure, type Failure } from '../consume/process.js';
import { ChannelError, MessagingError } from '../errors.js';
import { HeaderNames } from '../headers.js';
import type { MessageType } from '../message-type.js';
import { noConsumeStats, type ConsumeStats, type MessagingMetrics } from '../metrics.js';
import { deadLetterQueueName, retryQueueName, type QueueType } from '../topology.js';
import type { Handler, MessageMeta, Subscription } from '../transport.js';
import type { ChannelHost } from './host.js';
import { ManagedChannel, type Session } from './managed-channel.js';
import { moveDelivery, type MoveResult } from './move.js';
import type { AmqpPublisher } from './publisher.js';
import { bareRepublishProps, republishProps } from './republish.js';

export interface ConsumerHost extends ChannelHost {
  /** The transport's own confirm publisher, for moving deliveries to the delay and dead-letter queues. */
  republisher(): AmqpPublisher;
  /** Declares a work queue's topology on a side channel of `model`, adopting queues that exist differently. */
  declareWorkQueue(model: ChannelModel, queue: string, queueType: QueueType): Promise<void>;
  readonly closeTimeoutMs: number;
  readonly metrics: MessagingMetrics | undefined;
}

interface Pending {
  readonly msg: ConsumeMessage;
  readonly session: Session<Channel>;
}

/**
 * A consumer on its own channel (its own prefetch, and a channel error here touches nobody else).
 * Re-declares its queue and re-attaches after every reconnect or channel failure, and after a broker cancel.
 * Acks only on the channel the message came on: when that channel is gone the broker has requeued it.
 */
export class AmqpConsumer<T> implements Subscription {
  private readonly managed: ManagedChannel<Channel>;
  private readonly stats: ConsumeStats;
  private active = 0;
  private backlog: Pending[] = [];
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;
  private consumerTag: string | undefined;
  /** Aborted on close: moves waiting to try again give up (the broker requeues their deliveries). */
  private readonly stopping = new AbortController();
  /** Handler timing costs two clock reads per message: only when someone collects it. */
  private readonly timed: boolean;

  constructor(
    private readonly host: ConsumerHost,
    private readonly type: MessageType,
    private readonly handler: Handler<T>,
    private readonly policy: ConsumePolicy,
    private readonly source: ConsumerSource,
  ) {
    this.stats = host.metrics ? host.metrics.forConsumer(policy.consumerName) : noConsumeStats;
    this.timed = host.metrics !== undefined;
    this.managed = new ManagedChannel<Channel>(host, `consumer ${policy.consumerName}`, false, {
      setup: (s) => this.setup(s),
      attached: () => {
        host.logger.info({ consumer: policy.consumerName, queue: source.queue }, 'consumer attached');
      },
      detached: (s) => {
        this.consumerTag = undefined;
        this.backlog = this.backlog.filter((p) => p.session !== s);
        if (this.closing === undefined) {
          host.logger.warn({ consumer: policy.consumerName, queue: source.queue }, 'consumer detached');
        }
      },
    });
  }

  get consuming(): boolean {
    return (
      this.closing === undefined && this.consumerTag !== undefined && this.managed.session?.open === true
    );
  }

  /** Starts consuming; resolves once attached, rejects DECLARE_FAILED if the broker refuses the topology. */
  async start(): Promise<void> {
    this.managed.start();
    try {
      await this.managed.ready;
    } catch (err) {
      if (err instanceof MessagingError) throw err;
      const text = this.host.redact(err instanceof Error ? err.message : String(err));
      throw new ChannelError('DECLARE_FAILED', `cannot consume from ${this.source.queue}: ${text}`, {
        cause: err,
      });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async setup(session: Session<Channel>): Promise<void> {
    const { ch } = session;
    const src = this.source;
    if (src.kind === 'work') {
      // On a side channel: a refused declaration (406) closes the channel it was made on.
      await this.host.declareWorkQueue(session.model, src.queue, src.queueType);
    }
    await ch.prefetch(this.policy.prefetch);
    if (src.kind === 'fanout') {
      await ch.assertExchange(src.exchange, src.exchangeType, { durable: true });
      await ch.assertQueue(src.queue, { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(src.queue, src.exchange, src.bindingKey);
    }
    const tag = `${this.policy.consumerName}.${randomUUID().slice(0, 8)}`;
    // Deliveries can arrive before this promise resolves: the callback carries its session.
    await ch.consume(
      src.queue,
      (msg) => {
        this.onMessage(msg, session);
      },
      { noAck: false, consumerTag: tag },
    );
    // A broker cancel read together with ConsumeOk has already ended this session.
    if (session.open) this.consumerTag = tag;
  }

  private onMessage(msg: ConsumeMessage | null, session: Session<Channel>): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted, or a quorum queue leader moved): start over.
      this.host.logger.warn({ consumer: this.policy.consumerName }, 'consumer cancelled by the broker');
      this.consumerTag = undefined;
      // The session it came on, not the current one: a cancel during setup has no current session yet.
      session.end();
      return;
    }
    this.stats.consumed();
    if (this.closing !== undefined) {
      nack(session, msg);
    } else if (this.active < this.policy.concurrency) {
      this.handle(msg, session);
    } else {
      this.backlog.push({ msg, session });
    }
  }

  /**
   * The hot path: decode, call the handler, ack on success, with no async frame of our own. Failures leave it
   * for the retry path (further attempts, delay queue, dead letters).
   */
  private handle(msg: ConsumeMessage, session: Session<Channel>): void {
    this.active++;
    const meta = buildMeta(msg.content, msg.properties, msg.fields.redelivered);
    let value: T;
    try {
      value = this.type.decode(msg.content) as T;
    } catch (err) {
      this.finish(this.afterFailure(invalid(err), msg, session, meta.retryCount));
      return;
    }
    const started = this.timed ? performance.now() : 0;
    let running: Promise<void>;
    try {
      running = Promise.resolve(this.handler(value, meta));
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    running.then(
      () => {
        if (this.timed) this.stats.handlerDone((performance.now() - started) / 1000);
        if (ack(session, msg)) this.stats.acked();
        this.done();
      },
      (err: unknown) => {
        if (this.timed) this.stats.handlerDone((performance.now() - started) / 1000);
        this.finish(this.retry(msg, session, meta, value, err));
      },
    );
  }

  private async retry(
    msg: ConsumeMessage,
    session: Session<Channel>,
    meta: MessageMeta,
    value: T,
    err: unknown,
  ): Promise<void> {
    const work = this.source.kind === 'work';
    const outcome = await retryAfterFailure(this.handler, value, meta, this.policy, this.stats, work, err);
    if (outcome.kind === 'ack') {
      if (ack(session, msg)) this.stats.acked();
      return;
    }
    await this.afterFailure(outcome, msg, session, meta.retryCount);
  }

  private finish(slow: Promise<void>): void {
    slow
      .catch((err: unknown) => {
        this.host.logger.error(
          { consumer: this.policy.consumerName, err: err instanceof Error ? err.message : String(err) },
          'delivery handling failed',
        );
      })
      .finally(() => {
        this.done();
      });
  }

  private done(): void {
    this.active--;
    this.next();
  }

  /** Retry through the delay queue, park in the DLQ (work queue) or drop (pub/sub); then ack. */
  private async afterFailure(
    outcome: Failure,
    msg: ConsumeMessage,
    session: Session<Channel>,
    retryCount: number,
  ): Promise<void> {
    const log = this.host.logger;
    const consumer = this.policy.consumerName;
    const messageId: unknown = msg.properties.messageId;
    const src = this.source;
    if (src.kind === 'fanout') {
      const reason = outcome.kind === 'retry' ? 'handler-failed' : outcome.reason;
      log.warn({ consumer, messageId, reason, err: outcome.error }, 'message dropped');
      this.stats.dropped(reason);
      ack(session, msg);
      return;
    }
    const queue = src.queue;
    if (outcome.kind === 'retry') {
      const ours = {
        [HeaderNames.retryCount]: retryCount + 1,
        [HeaderNames.error]: outcome.error,
        [HeaderNames.originalQueue]: queue,
      };
      const moved = await this.move(msg, session, retryQueueName(queue), ours, String(outcome.delayMs));
      if (moved === 'gone') return;
      if (moved === 'moved') {
        this.stats.retried('delayed');
        log.warn(
          { consumer, messageId, retry: retryCount + 1, delayMs: outcome.delayMs, err: outcome.error },
          'message scheduled for retry',
        );
        ack(session, msg);
        return;
      }
      if (moved === 'unavailable') {
        this.requeue(msg, session, retryQueueName(queue));
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
    const moved = await this.move(msg, session, target, ours, undefined);
    if (moved === 'gone') return;
    if (moved === 'moved') {
      this.stats.deadLettered(reason);
      log.error({ consumer, messageId, queue: target, reason, err: outcome.error }, 'message dead-lettered');
      ack(session, msg);
    } else if (moved === 'unavailable') {
      this.requeue(msg, session, target);
    } else {
      // The broker refuses the parked copy for good (e.g. a capped dead-letter queue that rejects
      // publishes): the operator's cap wins over keeping the message.
      this.stats.dropped('dead-letter-refused');
      log.error(
        { consumer, messageId, queue: target, reason, err: outcome.error },
        'message dropped: the dead-letter queue refused it',
      );
      ack(session, msg);
    }
  }

  /** Publishes a copy of `msg` to `target` with bounded attempts (see moveDelivery). Confirmed before the ack. */
  private move(
    msg: ConsumeMessage,
    session: Session<Channel>,
    target: string,
    ours: Record<string, unknown>,
    expiration: string | undefined,
  ): Promise<MoveResult> {
    const props = republishProps(msg, ours);
    if (expiration !== undefined) props.expiration = expiration;
    const bareProps = bareRepublishProps(props, ours);
    if (expiration !== undefined) bareProps.expiration = expiration;
    const src = this.source;
    const log = this.host.logger;
    const consumer = this.policy.consumerName;
    const messageId: unknown = msg.properties.messageId;
    return moveDelivery({
      publish: (p) => this.host.republisher().publishRaw('', target, msg.content, p),
      props,
      bareProps,
      redeclare: () =>
        src.kind === 'work'
          ? this.host.declareWorkQueue(session.model, src.queue, src.queueType)
          : Promise.resolve(),
      owned: () => session.open,
      signal: this.stopping.signal,
      failed: (attempt, code, err) => {
        const fields = { consumer, messageId, target, attempt, code, err: errorMessage(err) };
        if (attempt === 1) log.warn(fields, 'could not move message; trying again');
        else log.debug(fields, 'could not move message; trying again');
      },
    });
  }

  /** Every attempt to move `msg` failed for want of a broker: back to its queue, to be handled again later. */
  private requeue(msg: ConsumeMessage, session: Session<Channel>, target: string): void {
    this.host.logger.error(
      { consumer: this.policy.consumerName, messageId: msg.properties.messageId as unknown, target },
      'could not move message; requeued',
    );
    nack(session, msg);
  }

  private next(): void {
    while (this.active < this.policy.concurrency && this.backlog.length > 0) {
      const p = this.backlog.shift() as Pending;
      if (p.session.open) this.handle(p.msg, p.session);
    }
    if (this.idle !== undefined && this.active === 0) this.idle();
  }

  private async shutdown(): Promise<void> {
    this.stopping.abort();
    const session = this.managed.session;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (session?.open && tag !== undefined) await session.ch.cancel(tag).catch(() => undefined);
    for (const p of this.backlog.splice(0)) nack(p.session, p.msg);
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.host.closeTimeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.active > 0) {
        this.host.logger.warn(
          { consumer: this.policy.consumerName, inFlight: this.active },
          'closing with handlers still running',
        );
      }
    }
    await this.managed.stop();
  }
}

/** Acks on the channel the message came on; false when that channel is gone (the broker requeued it). */
function ack(session: Session<Channel>, msg: ConsumeMessage): boolean {
  if (!session.open) return false;
  try {
    session.ch.ack(msg);
    return true;
  } catch {
    return false; // closing under us
  }
}

function nack(session: Session<Channel>, msg: ConsumeMessage): void {
  if (!session.open) return;
  try {
    session.ch.nack(msg, false, true);
  } catch {
    // closing under us: the broker requeues it anyway
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
