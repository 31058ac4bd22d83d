import type { ConsumerSpec } from '../core/delivery.js';
import type { PublishProperties } from '../core/properties.js';
import type { PublishWire } from '../core/publisher.js';
import { TransportCore } from '../core/transport-core.js';
import type { MessagingErrorCode } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import { OptionChecks } from '../options.js';
import { DEFAULT_QUEUE_TYPE } from '../topology.js';
import { MemoryBroker } from './broker.js';
import { MemoryConsumer, type MemoryConsumerWiring } from './consumer.js';
import { MemoryProbes } from './probes.js';
import { MemoryWire } from './wire.js';

/** The basic properties a test gives a message it injects (amqplib's names; timestamp in seconds). */
export type MemoryProperties = Readonly<PublishProperties>;

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

/** The numeric options with their defaults applied; MessagingError INVALID_OPTIONS naming every bad one. */
export function normalizeMemoryOptions(
  options: MemoryTransportOptions,
): Required<Pick<MemoryTransportOptions, keyof typeof MEMORY_DEFAULTS>> {
  const d = MEMORY_DEFAULTS;
  const check = new OptionChecks('createMemoryTransport');
  const int = (name: keyof typeof d, min: number): number => check.integer(name, options[name], d[name], min);
  const normalized = {
    publishWaitMs: int('publishWaitMs', 1),
    maxWaitingPublishes: int('maxWaitingPublishes', 0),
    closeTimeoutMs: int('closeTimeoutMs', 0),
    waitTimeoutMs: int('waitTimeoutMs', 1),
  };
  check.done();
  return normalized;
}

/**
 * A Transport in memory for unit tests: confirmed publish, manual ack, prefetch, competing consumers, pub/sub
 * fan-out through private queues, the consumer's retries, delay queue and dead-letter queue (the very delivery
 * core of the RabbitMQ transport), redelivery after a disconnect; plus probes (await a publication or a dead
 * letter instead of sleeping), raw injection and a simulated outage. It models no queue types or arguments.
 */
export class MemoryTransport extends TransportCore<MemoryConsumer<never>> {
  readonly broker: MemoryBroker;
  private readonly wire: MemoryWire;
  private readonly consumerWiring: MemoryConsumerWiring;
  // The probes (probes.ts), read-only views of the broker a test awaits instead of sleeping.
  readonly published: MemoryProbes['published'];
  readonly waitForPublished: MemoryProbes['waitForPublished'];
  readonly deadLettered: MemoryProbes['deadLettered'];
  readonly waitForDeadLettered: MemoryProbes['waitForDeadLettered'];
  readonly acked: MemoryProbes['acked'];
  readonly waitForAcked: MemoryProbes['waitForAcked'];
  readonly waitForIdle: MemoryProbes['waitForIdle'];

  constructor(options: MemoryTransportOptions = {}) {
    const o = normalizeMemoryOptions(options);
    const logger = options.logger ?? silentLogger;
    super({
      logger,
      initialState: 'connected',
      queueType: DEFAULT_QUEUE_TYPE,
      appId: options.appId,
      metrics: options.metrics,
      connectionName: 'memory',
    });
    this.broker = options.broker ?? new MemoryBroker();
    const probes = new MemoryProbes(this.broker, o.waitTimeoutMs);
    this.published = probes.published.bind(probes);
    this.waitForPublished = probes.waitForPublished.bind(probes);
    this.deadLettered = probes.deadLettered.bind(probes);
    this.waitForDeadLettered = probes.waitForDeadLettered.bind(probes);
    this.acked = probes.acked.bind(probes);
    this.waitForAcked = probes.waitForAcked.bind(probes);
    this.waitForIdle = probes.waitForIdle.bind(probes);
    this.wire = new MemoryWire(this.broker, o);
    this.consumerWiring = {
      wire: this.wire,
      logger,
      closeTimeoutMs: o.closeTimeoutMs,
      metrics: options.metrics,
    };
  }

  protected createConsumer<T>(spec: ConsumerSpec<T>): MemoryConsumer<T> {
    return new MemoryConsumer(this.consumerWiring, spec);
  }

  protected publisherWire(): PublishWire {
    return this.wire.publisher();
  }

  protected refusePublishers(): void {
    this.wire.closing();
  }

  protected closeWire(): Promise<void> {
    this.wire.close();
    return Promise.resolve();
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
    if ('queue' in target) {
      this.broker.declareWorkQueue(target.queue);
      this.broker.route('', target.queue, bytes, properties);
    } else {
      this.broker.route(target.exchange, target.routingKey, bytes, properties);
    }
  }

  /** Plays a lost connection: consumers detach (their unacked messages are redelivered), publishes wait. */
  simulateDisconnect(): void {
    if (this.state !== 'connected') return;
    this.wire.disconnect();
    for (const c of this.consumers) c.detach();
    this.setState('disconnected');
  }

  /** Plays the reconnect: consumers re-attach by themselves, waiting publishes go out. */
  simulateReconnect(): void {
    if (this.state !== 'disconnected') return;
    this.setState('connected');
    this.wire.reconnect();
    for (const c of this.consumers) c.attach();
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
