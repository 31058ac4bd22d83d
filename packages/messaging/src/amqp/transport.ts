import type { ChannelModel } from 'amqplib';
import type { PublishWire } from '../core/publisher.js';
import { TransportCore, type WireConsumer } from '../core/transport-core.js';
import type { Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import type { ConnectionState, DeclaringPublisher, Transport } from '../transport.js';
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
export class AmqpTransport implements Transport {
  private readonly core: TransportCore;
  readonly subscribeToQueue: Transport['subscribeToQueue'];
  readonly subscribe: Transport['subscribe'];
  private readonly connection: TrackedConnection;
  private readonly declarations: Declarations;
  private readonly publishers = new Set<ConfirmPublisher>();
  /** The transport's own publisher, for moving deliveries to the delay and dead-letter queues. */
  private mover: ConfirmPublisher | undefined;

  /** @internal Use connectAmqp. */
  constructor(
    failover: FailoverConnection,
    private readonly settings: AmqpSettings,
  ) {
    this.connection = new TrackedConnection(failover, settings, {
      connected: () => {
        this.declarations.connected();
        this.core.setState('connected');
        this.declarations.redeclarePinned();
      },
      disconnected: () => {
        this.core.setState('disconnected');
      },
      unblocked: () => {
        for (const p of this.publishers) p.flush();
        this.mover?.flush();
      },
    });
    this.declarations = new Declarations(this.connection, settings);
    const wiring: ConsumerWiring = {
      connection: this.connection,
      declareWorkQueue: (model, queue, queueType) => this.declarations.workQueue(model, queue, queueType),
      republish: (queue, body, props) => this.republisher().publishRaw('', queue, body, props),
      closeTimeoutMs: settings.closeTimeoutMs,
      metrics: settings.metrics,
    };
    this.core = new TransportCore<WireConsumer>({
      logger: settings.logger,
      initialState: 'connecting',
      queueType: settings.queueType,
      consumer: (type, handler, policy, source) => new AmqpConsumer(wiring, type, handler, policy, source),
      publisher: () => this.publisherWire(),
      appId: settings.appId,
      metrics: settings.metrics,
      closing: () => {
        this.connection.closing();
      },
      closeWire: () => this.closeWire(),
      stateChanged: (state) => settings.metrics?.setConnectionState(settings.connectionName, state),
    });
    this.subscribeToQueue = this.core.subscribeToQueue.bind(this.core);
    this.subscribe = this.core.subscribe.bind(this.core);
  }

  get state(): ConnectionState {
    return this.core.state;
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

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.core.onStateChange(listener);
  }

  createPublisher(): DeclaringPublisher {
    return this.core.createPublisher();
  }

  close(): Promise<void> {
    return this.core.close();
  }

  /** A confirm channel of its own for each publisher. */
  private publisherWire(): PublishWire {
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
  private async closeWire(): Promise<void> {
    await Promise.all([...this.publishers].map((p) => p.close()));
    if (this.mover) await this.mover.close();
    await this.connection.close();
    this.settings.logger.info({ connection: this.settings.connectionName }, 'broker connection closed');
  }
}
