import type { ChannelModel } from 'amqplib';
import { TransportCore, type WireConsumer } from '../core/transport-core.js';
import { ConnectionError, MessagingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { redact } from '../mask.js';
import type { MessageType } from '../message-type.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import type { ConnectionState, DeclaringPublisher, Transport } from '../transport.js';
import { coalesceWrites } from './coalesce.js';
import { AmqpConsumer, type ConsumerHost } from './consumer.js';
import { Declarations } from './declarations.js';
import type { BrokerEndpoint, FailoverConnection } from './failover.js';
import { AmqpPublisher, type PublisherHost, type PublisherSettings } from './publisher.js';

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
 * jitter: see FailoverConnection), a confirm channel per publisher, a channel per consumer. Every channel owner re-opens its channel,
 * re-declares its topology and re-attaches its consumer after each reconnect, by itself.
 */
export class AmqpTransport implements Transport, PublisherHost, ConsumerHost {
  private readonly core: TransportCore;
  readonly subscribeToQueue: Transport['subscribeToQueue'];
  readonly subscribe: Transport['subscribe'];
  private model: ChannelModel | undefined;
  private isBlocked = false;
  private waiters: { resolve: (m: ChannelModel) => void; reject: (e: Error) => void }[] = [];
  private readonly declarations: Declarations;
  private readonly publishers = new Set<AmqpPublisher>();
  private internal: AmqpPublisher | undefined;
  private closing: Promise<void> | undefined;
  private connectedOnce = false;
  readonly logger: Logger;

  /** @internal Use connectAmqp. */
  constructor(
    private readonly connection: FailoverConnection,
    private readonly settings: AmqpSettings,
  ) {
    this.logger = settings.logger;
    this.declarations = new Declarations({
      settings,
      currentConnection: () => this.model,
      modelBefore: (deadline) => this.modelBefore(deadline),
      redact: (text) => this.redact(text),
    });
    this.core = new TransportCore<WireConsumer>({
      logger: settings.logger,
      initialState: 'connecting',
      queueType: settings.queueType,
      consumer: (type, handler, policy, source) => new AmqpConsumer(this, type, handler, policy, source),
      stateChanged: (state) => settings.metrics?.setConnectionState(settings.connectionName, state),
    });
    this.subscribeToQueue = this.core.subscribeToQueue.bind(this.core);
    this.subscribe = this.core.subscribe.bind(this.core);
    const log = this.logger;
    const name = settings.connectionName;
    connection.on('connect', (model: ChannelModel, endpoint: BrokerEndpoint) => {
      this.model = model;
      this.isBlocked = false;
      this.declarations.connected();
      if (settings.coalesceWrites && !coalesceWrites(model)) {
        log.warn({ connection: name }, 'amqplib internals changed: socket writes not coalesced');
      }
      log.info(
        { connection: name, node: endpoint.node, url: settings.maskedUrl },
        this.connectedOnce ? 'broker reconnected' : 'broker connected',
      );
      this.connectedOnce = true;
      settings.metrics?.setBrokerNode(name, endpoint.node);
      this.core.setState('connected');
      for (const w of this.waiters.splice(0)) w.resolve(model);
      this.declarations.redeclarePinned();
    });
    connection.on('disconnect', (err: Error, endpoint: BrokerEndpoint) => {
      this.model = undefined;
      this.isBlocked = false;
      settings.metrics?.setBrokerNode(name, undefined);
      if (this.closing !== undefined) return;
      log.warn(
        { connection: name, node: endpoint.node, err: this.redact(err.message) },
        'broker connection lost',
      );
      this.core.setState('disconnected');
    });
    connection.on('connect-failed', (err: Error, endpoint: BrokerEndpoint) => {
      if (this.connectedOnce)
        log.warn(
          { connection: name, node: endpoint.node, err: this.redact(err.message) },
          'broker reconnect failed',
        );
    });
    connection.on('reconnect-scheduled', (info: { attempt: number; delay: number }) => {
      if (this.connectedOnce)
        log.info({ connection: name, attempt: info.attempt, delayMs: info.delay }, 'reconnecting');
    });
    connection.on('blocked', (reason: string) => {
      this.isBlocked = true;
      log.warn({ connection: name, reason }, 'broker blocked publishing');
    });
    connection.on('unblocked', () => {
      this.isBlocked = false;
      log.info({ connection: name }, 'broker unblocked publishing');
      for (const p of this.allPublishers()) p.flush();
    });
    connection.on('error', (err: Error) => {
      log.warn({ connection: name, err: this.redact(err.message) }, 'broker connection error');
    });
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
    return this.isBlocked;
  }

  get publishWaitMs(): number {
    return this.settings.publishWaitMs;
  }

  /** Quorum work queues' delivery limit. */
  get deliveryLimit(): number {
    return this.settings.deliveryLimit;
  }

  /** How work queues are declared unless their message type says otherwise. */
  get queueType(): QueueType {
    return this.settings.queueType;
  }

  get closeTimeoutMs(): number {
    return this.settings.closeTimeoutMs;
  }

  get metrics(): MessagingMetrics | undefined {
    return this.settings.metrics;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.core.onStateChange(listener);
  }

  createPublisher(): DeclaringPublisher {
    this.core.assertOpen();
    const p = new AmqpPublisher(this, this.publisherSettings(`publisher ${this.publishers.size + 1}`));
    this.publishers.add(p);
    return {
      publish: (type, message, options) => p.publish(type, message, options),
      declare: (type) => p.declare(type),
      close: async () => {
        await p.close();
        this.publishers.delete(p);
      },
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- host API for publishers and consumers ----

  currentConnection(): ChannelModel | undefined {
    return this.model;
  }

  waitForConnection(): Promise<ChannelModel> {
    if (this.model !== undefined) return Promise.resolve(this.model);
    if (this.core.state === 'closed')
      return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  redact(text: string): string {
    return redact(text, this.settings.secrets);
  }

  republisher(): AmqpPublisher {
    this.internal ??= new AmqpPublisher(this, this.publisherSettings('republisher'));
    return this.internal;
  }

  ensureDeclared(type: MessageType, waitMs: number): Promise<void> | undefined {
    return this.declarations.ensure(type, waitMs);
  }

  invalidateDeclarations(): void {
    this.declarations.invalidate();
  }

  pin(type: MessageType): void {
    this.declarations.pin(type);
  }

  declareWorkQueue(model: ChannelModel, queue: string, queueType: QueueType): Promise<void> {
    return this.declarations.workQueue(model, queue, queueType);
  }

  // ---- internals ----

  private modelBefore(deadline: number): Promise<ChannelModel> {
    if (this.model !== undefined) return Promise.resolve(this.model);
    const ms = Math.max(0, deadline - performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new ConnectionError(
            'NOT_CONNECTED',
            `broker unavailable for more than ${this.settings.publishWaitMs} ms`,
          ),
        );
      }, ms);
      const waiter = {
        resolve: (m: ChannelModel) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  private publisherSettings(name: string): PublisherSettings {
    const s = this.settings;
    return {
      name,
      appId: s.appId,
      confirmWindow: s.confirmWindow,
      confirmTimeoutMs: s.confirmTimeoutMs,
      publishWaitMs: s.publishWaitMs,
      maxWaiting: s.maxWaitingPublishes,
      closeTimeoutMs: s.closeTimeoutMs,
      metrics: s.metrics,
    };
  }

  private *allPublishers(): Iterable<AmqpPublisher> {
    yield* this.publishers;
    if (this.internal) yield this.internal;
  }

  private async shutdown(): Promise<void> {
    // Consumers first (their failures still need the republisher), then publishers, then the connection.
    await this.core.closeConsumers();
    await Promise.all([...this.publishers].map((p) => p.close()));
    if (this.internal) await this.internal.close();
    await this.connection.close().catch(() => undefined);
    this.model = undefined;
    const closed = new MessagingError('CLOSED', 'transport is closed');
    for (const w of this.waiters.splice(0)) w.reject(closed);
    this.core.setState('closed');
    this.logger.info({ connection: this.settings.connectionName }, 'broker connection closed');
  }
}
