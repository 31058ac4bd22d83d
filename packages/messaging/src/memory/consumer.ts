import type { ConsumerSource } from '../consume/source.js';
import { DeliveryCore, type ConsumerSpec, type DeliveryWire } from '../core/delivery.js';
import type { Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import type { Subscription } from '../transport.js';
import type { MemoryBroker } from './broker.js';
import type { MemoryQueue, QueuedMessage, QueueSubscriber } from './queue.js';

/** What every consumer of a memory transport is made with. */
export interface MemoryConsumerWiring {
  readonly broker: MemoryBroker;
  /** How the delivery core moves a message to the delay or dead-letter queue. */
  readonly republish: DeliveryWire['republish'];
  readonly logger: Logger;
  readonly closeTimeoutMs: number;
  readonly metrics: MessagingMetrics | undefined;
}

/**
 * The in-memory wire's consumer: subscribes to its queue (for pub/sub a private queue, bound to the exchange
 * and deleted at close) and brings the queue's deliveries to the delivery core.
 */
export class MemoryConsumer<T> implements Subscription, QueueSubscriber {
  readonly prefetch: number;
  unacked = 0;
  private queue: MemoryQueue | undefined;
  private closing: Promise<void> | undefined;
  private readonly core: DeliveryCore<T>;
  private readonly source: ConsumerSource;

  constructor(
    private readonly wiring: MemoryConsumerWiring,
    spec: ConsumerSpec<T>,
  ) {
    const { broker } = wiring;
    const source = (this.source = spec.source);
    this.prefetch = spec.policy.prefetch;
    this.core = new DeliveryCore<T>(spec, {
      metrics: wiring.metrics,
      logger: wiring.logger,
      closeTimeoutMs: wiring.closeTimeoutMs,
      wire: {
        republish: wiring.republish,
        redeclare: () => {
          if (source.kind === 'work') broker.declareWorkQueue(source.queue);
          return Promise.resolve();
        },
      },
    });
  }

  get consuming(): boolean {
    return this.queue !== undefined && this.closing === undefined;
  }

  /** Declares the queue (a fresh private one for pub/sub) and starts taking deliveries. */
  start(): Promise<void> {
    const b = this.wiring.broker;
    const src = this.source;
    if (src.kind === 'work') {
      this.queue = b.declareWorkQueue(src.queue);
    } else {
      b.declareExchange(src.exchange, src.exchangeType);
      this.queue = b.declareQueue(src.queue);
      b.bind(src.queue, src.exchange, src.bindingKey);
    }
    this.queue.subscribe(this);
    return Promise.resolve();
  }

  /** Hands a delivery to the core, to be settled on the queue it came from. */
  deliver(message: QueuedMessage, tag: number): void {
    const q = this.queue;
    if (q === undefined) return;
    this.core.deliver({
      body: message.body,
      properties: message.props,
      redelivered: message.redelivered,
      get owned() {
        return q.holds(tag);
      },
      ack: () => q.settle(tag, true),
      requeue: () => {
        q.settle(tag, false);
      },
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Stops deliveries, drains the handlers, gives back what is left unsettled; a private queue goes. */
  private async shutdown(): Promise<void> {
    const q = this.queue;
    if (q === undefined) return;
    q.cancel(this);
    await this.core.drain();
    this.queue = undefined;
    q.unsubscribe(this);
    if (this.source.kind === 'fanout') this.wiring.broker.deleteQueue(q.name);
  }
}
