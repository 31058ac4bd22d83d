import { TransportCore } from '../core/transport-core.js';
import { envelopeOf, type PublishEnvelope } from '../core/envelope.js';
import type { Static, TSchema } from 'typebox';
import { ConnectionError, MessagingError, type MessagingErrorCode } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import { noConsumeStats, noPublishStats, type MessagingMetrics, type PublishStats } from '../metrics.js';
import { DEFAULT_QUEUE_TYPE, type QueueType } from '../topology.js';
import type { ConnectionState, DeclaringPublisher, PublishOptions, Transport } from '../transport.js';
import { MemoryBroker } from './broker.js';
import { MemoryProbes } from './probes.js';
import { MemoryConsumer, type MemoryConsumerHost } from './consumer.js';
import { memoryProps, type MemoryProperties } from './queue.js';

export interface MemoryTransportOptions {
  /** Share one broker between transports to play several processes (competing consumers, pub/sub). */
  readonly broker?: MemoryBroker;
  readonly appId?: string;
  readonly logger?: Logger;
  readonly metrics?: MessagingMetrics;
  /** How long a publish waits while "disconnected" before NOT_CONNECTED. Default 10 000. */
  readonly publishWaitMs?: number;
  /** Publishes allowed to wait; beyond, BACKPRESSURE. Default 10 000. */
  readonly maxWaitingPublishes?: number;
  readonly closeTimeoutMs?: number;
  /** Default timeout of the waitFor* helpers. Default 5000. */
  readonly waitTimeoutMs?: number;
  /** How work queues are declared unless their message type says otherwise (quorum: delivery limit). Default 'classic'. */
  readonly queueType?: QueueType;
  /** Quorum work queues only: deliveries of one message before it is parked in `<queue>.dlq`. Default: the broker's. */
  readonly deliveryLimit?: number;
}

interface Waiting {
  readonly run: () => void;
  readonly reject: (err: MessagingError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A Transport in memory, with the semantics of the RabbitMQ one (confirmed publish, manual ack, prefetch,
 * competing consumers, pub/sub fan-out through private queues, bounded retries then `<queue>.dlq`, redelivery
 * after a disconnect), plus helpers for tests: await a publication or a dead letter instead of sleeping,
 * inject raw bytes, simulate an outage.
 */
export class MemoryTransport extends MemoryProbes implements Transport {
  private readonly core: TransportCore<MemoryConsumer<never>>;
  readonly subscribeToQueue: Transport['subscribeToQueue'];
  readonly subscribe: Transport['subscribe'];
  private waiting: Waiting[] = [];
  private failing: MessagingErrorCode | undefined;
  private closing: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly consumerHost: MemoryConsumerHost;
  private readonly queueType: QueueType;
  /** Types declared up front (DeclaringPublisher.declare): declared again on every reconnect. */
  private readonly pinned = new Set<MessageType>();

  constructor(private readonly options: MemoryTransportOptions = {}) {
    super(options.broker ?? new MemoryBroker(), options.waitTimeoutMs ?? 5000);
    this.logger = options.logger ?? silentLogger;
    this.queueType = options.queueType ?? DEFAULT_QUEUE_TYPE;
    this.consumerHost = {
      broker: this.broker,
      logger: this.logger,
      closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
      deliveryLimit: options.deliveryLimit,
      republish: (routingKey, body, props) => this.send('', routingKey, body, props, true, noPublishStats),
    };
    const metrics = options.metrics;
    this.core = new TransportCore<MemoryConsumer<never>>({
      logger: this.logger,
      initialState: 'connected',
      queueType: this.queueType,
      consumer: (type, handler, policy, source) => {
        const stats = metrics?.forConsumer(policy.consumerName) ?? noConsumeStats;
        const connected = (): boolean => this.core.state === 'connected';
        const c = new MemoryConsumer(
          this.consumerHost,
          type,
          handler,
          policy,
          source,
          this,
          stats,
          connected,
        );
        return c;
      },
      stateChanged: (state) => metrics?.setConnectionState('memory', state),
    });
    this.subscribeToQueue = this.core.subscribeToQueue.bind(this.core);
    this.subscribe = this.core.subscribe.bind(this.core);
  }

  get state(): ConnectionState {
    return this.core.state;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.core.onStateChange(listener);
  }

  createPublisher(): DeclaringPublisher {
    this.core.assertOpen();
    let closed = false;
    return {
      publish: <S extends TSchema>(type: MessageType<S>, message: Static<S>, options?: PublishOptions) => {
        if (closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
        return this.publish(type, message, options);
      },
      declare: (type: MessageType) => {
        if (closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
        return this.declare(type);
      },
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- test helpers ----

  /**
   * Puts raw bytes on a queue (through the default exchange) or an exchange, as another program would:
   * invalid JSON, a message without message_id, a Go-formatted timestamp...
   */
  inject(
    target: { readonly queue: string } | { readonly exchange: string; readonly routingKey: string },
    body: Buffer | string,
    properties: MemoryProperties = {},
  ): void {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const env = { body: bytes, props: properties, deliveries: 0, redelivered: false };
    if ('queue' in target) {
      this.broker.declareWorkQueue(target.queue, this.queueType, this.options.deliveryLimit);
      this.broker.route('', target.queue, env);
    } else {
      this.broker.route(target.exchange, target.routingKey, env);
    }
  }

  /** Plays a lost connection: consumers detach (their unacked messages are redelivered), publishes wait. */
  simulateDisconnect(): void {
    if (this.core.state !== 'connected') return;
    for (const c of this.core.consumers) c.detach();
    this.core.setState('disconnected');
  }

  /** Plays the reconnect: consumers re-attach by themselves, waiting publishes go out. */
  simulateReconnect(): void {
    if (this.core.state !== 'disconnected') return;
    this.core.setState('connected');
    for (const type of this.pinned)
      this.broker.declareDestination(type.destination, this.queueType, this.options.deliveryLimit);
    for (const c of this.core.consumers) c.attach();
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.run();
    }
  }

  /** Makes every publish fail with `code` (e.g. 'NACKED', 'CONFIRM_TIMEOUT') until called with undefined. */
  failPublishes(code: MessagingErrorCode | undefined): void {
    this.failing = code;
  }

  // ---- internals ----

  private declare(type: MessageType): Promise<void> {
    if (this.closing !== undefined)
      return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    this.pinned.add(type);
    return new Promise<void>((resolve, reject) => {
      this.whenConnected(() => {
        this.broker.declareDestination(type.destination, this.queueType, this.options.deliveryLimit);
        resolve();
      }, reject);
    });
  }

  private publish<S extends TSchema>(
    type: MessageType<S>,
    message: Static<S>,
    options?: PublishOptions,
  ): Promise<void> {
    if (this.closing !== undefined)
      return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    let e: PublishEnvelope;
    try {
      e = envelopeOf(type, message, options, this.options.appId);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const stats = this.options.metrics?.forDestination(e.destination) ?? noPublishStats;
    this.broker.declareDestination(type.destination, this.queueType, this.options.deliveryLimit);
    return this.send(
      e.exchange,
      e.routingKey,
      e.body,
      memoryProps(e.props),
      e.props.mandatory === true,
      stats,
    );
  }

  private send(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: MemoryProperties,
    mandatory: boolean,
    stats: PublishStats,
  ): Promise<void> {
    stats.published();
    return new Promise<void>((resolve, reject) => {
      const fail = (err: MessagingError): void => {
        stats.failed(err.code);
        reject(err);
      };
      const run = (): void => {
        if (this.failing !== undefined) {
          fail(new MessagingError(this.failing, `simulated publish failure (${this.failing})`));
          return;
        }
        const n = this.broker.route(exchange, routingKey, { body, props, deliveries: 0, redelivered: false });
        if (n === 0 && mandatory) {
          fail(new MessagingError('UNROUTABLE', `no queue received the message (${exchange || routingKey})`));
          return;
        }
        stats.confirmed(0);
        resolve();
      };
      this.whenConnected(run, fail);
    });
  }

  /** Runs `run` soon while connected; else waits (bounded, like the real transport) for the reconnect. */
  private whenConnected(run: () => void, fail: (err: MessagingError) => void): void {
    if (this.core.state === 'connected') {
      queueMicrotask(run);
      return;
    }
    if (this.waiting.length >= (this.options.maxWaitingPublishes ?? 10_000)) {
      fail(new MessagingError('BACKPRESSURE', `${this.waiting.length} publishes already waiting`));
      return;
    }
    const waitMs = this.options.publishWaitMs ?? 10_000;
    const entry: Waiting = {
      run,
      reject: fail,
      timer: setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        fail(new ConnectionError('NOT_CONNECTED', `broker unavailable for more than ${waitMs} ms`));
      }, waitMs),
    };
    this.waiting.push(entry);
  }

  private async shutdown(): Promise<void> {
    await this.core.closeConsumers();
    const closed = new MessagingError('CLOSED', 'transport closed before the broker came back');
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(closed);
    }
    this.core.setState('closed');
  }
}

/** An in-memory transport for unit tests (see MemoryTransport). */
export function createMemoryTransport(options?: MemoryTransportOptions): MemoryTransport {
  return new MemoryTransport(options);
}
