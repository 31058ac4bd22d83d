import type { ConsumerSpec } from '../core/delivery.js';
import type { PublishProperties } from '../core/properties.js';
import type { PublishWire } from '../core/publisher.js';
import { TransportCore } from '../core/transport-core.js';
import { MessagingError, type MessagingErrorCode } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Destination } from '../message-type.js';
import { noPublishStats, type PublishStats } from '../metrics.js';
import { DEFAULT_QUEUE_TYPE } from '../topology.js';
import { MemoryBroker } from './broker.js';
import { MemoryConsumer, type MemoryConsumerWiring } from './consumer.js';
import { normalizeMemoryOptions, type MemoryTransportOptions } from './options.js';
import { MemoryProbes } from './probes.js';

/** The basic properties a test gives a message it injects (amqplib's names; timestamp in seconds). */
export type MemoryProperties = Readonly<PublishProperties>;

/**
 * A Transport in memory for unit tests, over the delivery core of the RabbitMQ transport: confirmed
 * publish, manual ack, prefetch, competing consumers, pub/sub through private queues, retries through the
 * delay queue, the dead-letter queue; plus probes (await a publication or a dead letter instead of sleeping),
 * raw injection and failing publishes. It has no connection to lose and models no queue types or queue
 * arguments: reconnects, outages and delivery limits are tested against RabbitMQ.
 */
export class MemoryTransport extends TransportCore<MemoryConsumer<never>> {
  readonly broker: MemoryBroker;
  /** The transport is closing: its publishers get CLOSED (moves of deliveries still go out). */
  private refusing = false;
  private failing: MessagingErrorCode | undefined;
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
    this.consumerWiring = {
      broker: this.broker,
      republish: (queue, body, props) => this.send('', queue, body, props, noPublishStats),
      logger,
      closeTimeoutMs: o.closeTimeoutMs,
      metrics: options.metrics,
    };
    const probes = new MemoryProbes(this.broker, o.waitTimeoutMs);
    this.published = probes.published.bind(probes);
    this.waitForPublished = probes.waitForPublished.bind(probes);
    this.deadLettered = probes.deadLettered.bind(probes);
    this.waitForDeadLettered = probes.waitForDeadLettered.bind(probes);
    this.acked = probes.acked.bind(probes);
    this.waitForAcked = probes.waitForAcked.bind(probes);
    this.waitForIdle = probes.waitForIdle.bind(probes);
  }

  protected createConsumer<T>(spec: ConsumerSpec<T>): MemoryConsumer<T> {
    return new MemoryConsumer(this.consumerWiring, spec);
  }

  protected publisherWire(): PublishWire {
    return {
      ensureDeclared: (type) => {
        this.declare(type.destination);
        return undefined;
      },
      declare: (type) => {
        if (this.refusing) return Promise.reject(closedError());
        this.declare(type.destination);
        return Promise.resolve();
      },
      send: (e, stats) => {
        if (this.refusing) return Promise.reject(closedError());
        return this.send(e.exchange, e.routingKey, e.body, e.props, stats);
      },
      close: () => Promise.resolve(),
    };
  }

  protected refusePublishers(): void {
    this.refusing = true;
  }

  protected closeWire(): Promise<void> {
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

  /** Makes every publish fail with `code` (e.g. 'NACKED', 'NOT_CONNECTED') until called with undefined. */
  failPublishes(code: MessagingErrorCode | undefined): void {
    this.failing = code;
  }

  private declare(d: Destination): void {
    if (d.kind === 'queue') this.broker.declareWorkQueue(d.queue);
    else this.broker.declareExchange(d.exchange, d.exchangeType);
  }

  /** Routes the message; confirmed on the next microtask, as a broker's confirm arrives after the call. */
  private async send(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: PublishProperties,
    stats: PublishStats,
  ): Promise<void> {
    stats.published();
    await Promise.resolve();
    const failing = this.failing;
    let err: MessagingError | undefined;
    if (failing !== undefined) err = new MessagingError(failing, `simulated publish failure (${failing})`);
    else if (this.broker.route(exchange, routingKey, body, props) === 0 && props.mandatory === true)
      err = new MessagingError('UNROUTABLE', `no queue received the message (${exchange || routingKey})`);
    if (err !== undefined) {
      stats.failed(err.code);
      throw err;
    }
    stats.confirmed(0);
  }
}

function closedError(): MessagingError {
  return new MessagingError('CLOSED', 'transport is closed');
}

/** An in-memory transport for unit tests (see MemoryTransport). */
export function createMemoryTransport(options?: MemoryTransportOptions): MemoryTransport {
  return new MemoryTransport(options);
}
