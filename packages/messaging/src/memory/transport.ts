import { TransportCore } from '../core/transport-core.js';
import type { MessagingErrorCode } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { noConsumeStats, type MessagingMetrics } from '../metrics.js';
import { integerOption } from '../options.js';
import { DEFAULT_QUEUE_TYPE } from '../topology.js';
import type { ConnectionState, DeclaringPublisher, Transport } from '../transport.js';
import { MemoryBroker } from './broker.js';
import { MemoryConsumer, type MemoryConsumerWiring } from './consumer.js';
import { MemoryProbes } from './probes.js';
import type { MemoryProperties } from './queue.js';
import { MemoryWire } from './wire.js';

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
  /** Bound on waiting for handlers in flight at close. Default 10 000. */
  readonly closeTimeoutMs?: number;
  /** Default timeout of the waitFor* probes. Default 5000. */
  readonly waitTimeoutMs?: number;
}

/** The defaults of createMemoryTransport's options, in one place. */
export const MEMORY_DEFAULTS = {
  publishWaitMs: 10_000,
  maxWaitingPublishes: 10_000,
  closeTimeoutMs: 10_000,
  waitTimeoutMs: 5000,
} as const;

/** The numeric options with their defaults applied; MessagingError INVALID_OPTIONS naming the first bad one. */
export function normalizeMemoryOptions(
  options: MemoryTransportOptions,
): Required<Pick<MemoryTransportOptions, keyof typeof MEMORY_DEFAULTS>> {
  const d = MEMORY_DEFAULTS;
  const int = (name: keyof typeof d, min: number): number =>
    integerOption('createMemoryTransport', name, options[name], d[name], min);
  return {
    publishWaitMs: int('publishWaitMs', 1),
    maxWaitingPublishes: int('maxWaitingPublishes', 0),
    closeTimeoutMs: int('closeTimeoutMs', 0),
    waitTimeoutMs: int('waitTimeoutMs', 1),
  };
}

/**
 * A Transport in memory for unit tests: confirmed publish, manual ack, prefetch, competing consumers, pub/sub
 * fan-out through private queues, the consumer's retries, delay queue and dead-letter queue (the very delivery
 * core of the RabbitMQ transport), redelivery after a disconnect; plus probes (await a publication or a dead
 * letter instead of sleeping), raw injection and a simulated outage. It models no queue types or arguments.
 */
export class MemoryTransport extends MemoryProbes implements Transport {
  private readonly core: TransportCore<MemoryConsumer<never>>;
  readonly subscribeToQueue: Transport['subscribeToQueue'];
  readonly subscribe: Transport['subscribe'];
  private readonly wire: MemoryWire;

  constructor(options: MemoryTransportOptions = {}) {
    const o = normalizeMemoryOptions(options);
    super(options.broker ?? new MemoryBroker(), o.waitTimeoutMs);
    const logger = options.logger ?? silentLogger;
    this.wire = new MemoryWire(this.broker, o);
    const wiring: MemoryConsumerWiring = { wire: this.wire, logger, closeTimeoutMs: o.closeTimeoutMs };
    const metrics = options.metrics;
    this.core = new TransportCore<MemoryConsumer<never>>({
      logger,
      initialState: 'connected',
      queueType: DEFAULT_QUEUE_TYPE,
      consumer: (type, handler, policy, source) =>
        new MemoryConsumer(
          wiring,
          type,
          handler,
          policy,
          source,
          metrics?.forConsumer(policy.consumerName) ?? noConsumeStats,
        ),
      publisher: () => this.wire.publisher(),
      appId: options.appId,
      metrics,
      closing: () => {
        this.wire.closing();
      },
      closeWire: () => {
        this.wire.close();
        return Promise.resolve();
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
    return this.core.createPublisher();
  }

  close(): Promise<void> {
    return this.core.close();
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
    const env = { body: bytes, props: properties, redelivered: false };
    if ('queue' in target) {
      this.broker.declareWorkQueue(target.queue);
      this.broker.route('', target.queue, env);
    } else {
      this.broker.route(target.exchange, target.routingKey, env);
    }
  }

  /** Plays a lost connection: consumers detach (their unacked messages are redelivered), publishes wait. */
  simulateDisconnect(): void {
    if (this.core.state !== 'connected') return;
    this.wire.disconnect();
    for (const c of this.core.consumers) c.detach();
    this.core.setState('disconnected');
  }

  /** Plays the reconnect: consumers re-attach by themselves, waiting publishes go out. */
  simulateReconnect(): void {
    if (this.core.state !== 'disconnected') return;
    this.core.setState('connected');
    this.wire.reconnect();
    for (const c of this.core.consumers) c.attach();
    this.wire.releaseWaiting();
  }

  /** Makes every publish fail with `code` (e.g. 'NACKED', 'CONFIRM_TIMEOUT') until called with undefined. */
  failPublishes(code: MessagingErrorCode | undefined): void {
    this.wire.fail(code);
  }
}

/** An in-memory transport for unit tests (see MemoryTransport). */
export function createMemoryTransport(options?: MemoryTransportOptions): MemoryTransport {
  return new MemoryTransport(options);
}
