import { randomUUID } from 'node:crypto';
import type { ConsumerSource } from '../consume/source.js';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { ChannelError, MessagingError } from '../errors.js';
import { DeliveryCore, type ConsumerSpec, type Delivery } from '../core/delivery.js';
import type { ReceivedProperties } from '../core/properties.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import type { Subscription } from '../transport.js';
import type { PublishProperties } from '../core/properties.js';
import type { LiveConnection } from './live-connection.js';
import { ManagedChannel, type Session } from './managed-channel.js';

/** What every consumer of a transport is made with (one record per transport, not a callback into it). */
export interface ConsumerWiring {
  readonly connection: LiveConnection;
  /** Declares a work queue's topology on a side channel of `model`, adopting queues that exist differently. */
  declareWorkQueue(model: ChannelModel, queue: string, queueType: QueueType): Promise<void>;
  /** Publishes a copy to `queue` (default exchange) on a confirm channel; resolves once confirmed. */
  republish(queue: string, body: Buffer, props: PublishProperties): Promise<void>;
  readonly closeTimeoutMs: number;
  readonly metrics: MessagingMetrics | undefined;
}

/**
 * A consumer on its own channel (its own prefetch, and a channel error here touches nobody else).
 * Re-declares its queue and re-attaches after every reconnect or channel failure, and after a broker cancel.
 * What happens to each delivery is the delivery core's; this class only brings deliveries to it and settles
 * them on the channel they came on (when that channel is gone the broker has requeued them).
 */
export class AmqpConsumer<T> implements Subscription {
  private readonly managed: ManagedChannel<Channel>;
  private readonly core: DeliveryCore<T, AmqpDelivery>;
  private closing: Promise<void> | undefined;
  private consumerTag: string | undefined;
  private readonly policy: ConsumerSpec['policy'];
  private readonly source: ConsumerSource;

  constructor(
    private readonly wiring: ConsumerWiring,
    spec: ConsumerSpec<T>,
  ) {
    const { policy, source } = spec;
    this.policy = policy;
    this.source = source;
    const log = wiring.connection.logger;
    this.core = new DeliveryCore<T, AmqpDelivery>(spec, {
      metrics: wiring.metrics,
      logger: log,
      closeTimeoutMs: wiring.closeTimeoutMs,
      wire: {
        republish: (queue, body, props) => wiring.republish(queue, body, props),
        redeclare: (d) =>
          source.kind === 'work'
            ? wiring.declareWorkQueue(d.session.model, source.queue, source.queueType)
            : Promise.resolve(),
      },
    });
    this.managed = new ManagedChannel<Channel>(wiring.connection, `consumer ${policy.consumerName}`, false, {
      setup: (s) => this.setup(s),
      attached: () => {
        log.info({ consumer: policy.consumerName, queue: source.queue }, 'consumer attached');
      },
      detached: () => {
        this.consumerTag = undefined;
        this.core.forgetLost();
        if (this.closing === undefined) {
          log.warn({ consumer: policy.consumerName, queue: source.queue }, 'consumer detached');
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
      const text = this.wiring.connection.redact(err instanceof Error ? err.message : String(err));
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
      await this.wiring.declareWorkQueue(session.model, src.queue, src.queueType);
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
      this.wiring.connection.logger.warn(
        { consumer: this.policy.consumerName },
        'consumer cancelled by the broker',
      );
      this.consumerTag = undefined;
      // The session it came on, not the current one: a cancel during setup has no current session yet.
      session.end();
      return;
    }
    this.core.deliver(new AmqpDelivery(msg, session));
  }

  private async shutdown(): Promise<void> {
    const session = this.managed.session;
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (session?.open && tag !== undefined) await session.ch.cancel(tag).catch(() => undefined);
    const inFlight = await this.core.drain();
    if (inFlight > 0) {
      this.wiring.connection.logger.warn(
        { consumer: this.policy.consumerName, inFlight },
        'closing with handlers still running',
      );
    }
    await this.managed.stop();
  }
}

/** A delivery settled on the channel it came on. */
class AmqpDelivery implements Delivery {
  constructor(
    private readonly msg: ConsumeMessage,
    readonly session: Session<Channel>,
  ) {}

  get body(): Buffer {
    return this.msg.content;
  }

  get properties(): ReceivedProperties {
    return this.msg.properties as unknown as ReceivedProperties;
  }

  get redelivered(): boolean {
    return this.msg.fields.redelivered;
  }

  get owned(): boolean {
    return this.session.open;
  }

  ack(): boolean {
    if (!this.session.open) return false;
    try {
      this.session.ch.ack(this.msg);
      return true;
    } catch {
      return false; // closing under us
    }
  }

  requeue(): void {
    if (!this.session.open) return;
    try {
      this.session.ch.nack(this.msg, false, true);
    } catch {
      // closing under us: the broker requeues it anyway
    }
  }
}
