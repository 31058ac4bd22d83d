import type { ChannelModel } from 'amqplib';
import type { PublishWire } from '../core/publisher.js';
import type { ConsumerSpec } from '../core/delivery.js';
import { TransportCore } from '../core/transport-core.js';
import type { Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import { AmqpConsumer, type ConsumerWiring } from './consumer.js';
import { Declarations } from './declarations.js';
import type { FailoverConnection } from './failover.js';
import { TrackedConnection } from './live-connection.js';
import { ConfirmPublisher, type PublisherSettings } from './publisher.js';

/** Settings of an AmqpTransport, defaults applied (see connectAmqp). */
export interface AmqpSettings {
  readonly connectionName: string;
  readonly maskedUrl: string;
  readonly secrets: readonly string[];
  readonly logger: Logger;
  readonly metrics: MessagingMetrics | undefined;
  readonly appId: string | undefined;
  readonly publishWaitMs: number;
  readonly confirmTimeoutMs: number;
  readonly confirmWindow: number;
  readonly maxWaitingPublishes: number;
  readonly closeTimeoutMs: number;
  readonly deliveryLimit: number;
  readonly queueType: QueueType;
  readonly coalesceWrites: boolean;
}

/**
 * The RabbitMQ transport: one connection (to one node of a list; on loss, to the next, with backoff and
 * jitter: see FailoverConnection), a confirm channel per publisher, a channel per consumer. Every channel
 * owner re-opens its channel, re-declares its topology and re-attaches its consumer after each reconnect, by
 * itself: they depend on the connection (LiveConnection), never on the transport.
 */
export class AmqpTransport extends TransportCore {
  private readonly connection: TrackedConnection;
  private readonly declarations: Declarations;
  private readonly consumerWiring: ConsumerWiring;
  private readonly publishers = new Set<ConfirmPublisher>();
  /** The transport's own publisher, for moving deliveries to the delay and dead-letter queues. */
  private mover: ConfirmPublisher | undefined;

  /** @internal Use connectAmqp. */
  constructor(
    failover: FailoverConnection,
    private readonly settings: AmqpSettings,
  ) {
    super({ ...settings, initialState: 'connecting' });
    this.connection = new TrackedConnection(failover, settings, {
      connected: () => {
        this.declarations.connected();
        this.setState('connected');
        this.declarations.redeclarePinned();
      },
      disconnected: () => {
        this.setState('disconnected');
      },
      unblocked: () => {
        for (const p of this.publishers) p.flush();
        this.mover?.flush();
      },
    });
    this.declarations = new Declarations(this.connection, settings);
    this.consumerWiring = {
      connection: this.connection,
      declareWorkQueue: (model, queue, queueType) => this.declarations.workQueue(model, queue, queueType),
      republish: (queue, body, props) => this.republisher().publishRaw('', queue, body, props),
      closeTimeoutMs: settings.closeTimeoutMs,
      metrics: settings.metrics,
    };
  }

  /** host:port of the broker node the transport is connected to; undefined while it is not connected. */
  get node(): string | undefined {
    return this.connection.node;
  }

  /** True while the broker has told us to stop publishing (memory or disk alarm). */
  get blocked(): boolean {
    return this.connection.blocked;
  }

  /** @internal The live amqplib connection, if any (tests look at its socket). */
  currentConnection(): ChannelModel | undefined {
    return this.connection.currentConnection();
  }

  protected createConsumer<T>(spec: ConsumerSpec<T>): AmqpConsumer<T> {
    return new AmqpConsumer(this.consumerWiring, spec);
  }

  protected refusePublishers(): void {
    this.connection.closing();
  }

  /** A confirm channel of its own for each publisher. */
  protected publisherWire(): PublishWire {
    const wire = new ConfirmPublisher(
      this.connection,
      this.declarations,
      this.publisherSettings(`publisher ${this.publishers.size + 1}`),
    );
    this.publishers.add(wire);
    return {
      ensureDeclared: (type) => wire.ensureDeclared(type),
      declare: (type) => wire.declare(type),
      send: (e, stats) => wire.send(e, stats),
      close: async () => {
        await wire.close();
        this.publishers.delete(wire);
      },
    };
  }

  private republisher(): ConfirmPublisher {
    this.mover ??= new ConfirmPublisher(
      this.connection,
      this.declarations,
      this.publisherSettings('republisher'),
    );
    return this.mover;
  }

  private publisherSettings(name: string): PublisherSettings {
    const s = this.settings;
    return {
      name,
      confirmWindow: s.confirmWindow,
      confirmTimeoutMs: s.confirmTimeoutMs,
      publishWaitMs: s.publishWaitMs,
      maxWaiting: s.maxWaitingPublishes,
      closeTimeoutMs: s.closeTimeoutMs,
    };
  }

  /** After the consumers (their failures still need the republisher): publishers, then the connection. */
  protected async closeWire(): Promise<void> {
    await Promise.all([...this.publishers].map((p) => p.close()));
    if (this.mover) await this.mover.close();
    await this.connection.close();
    this.settings.logger.info({ connection: this.settings.connectionName }, 'broker connection closed');
  }
}
