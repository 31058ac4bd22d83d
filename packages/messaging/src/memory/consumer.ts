import type { ConsumerSource } from '../consume/source.js';
import { DeliveryCore, type ConsumerSpec } from '../core/delivery.js';
import type { Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import type { Handler, Subscription } from '../transport.js';
import type { MemoryBroker } from './broker.js';
import type { Envelope, MemoryQueue, QueueSubscriber } from './queue.js';
import type { MemoryWire } from './wire.js';

/** What every consumer of a memory transport is made with. */
export interface MemoryConsumerWiring {
  /** Moves go through it: they wait while it is disconnected, as on the RabbitMQ wire. */
  readonly wire: MemoryWire;
  readonly logger: Logger;
  readonly closeTimeoutMs: number;
  readonly metrics: MessagingMetrics | undefined;
}

/**
 * The in-memory wire's consumer: attaches to its queue while the wire is connected (a private queue for
 * pub/sub, deleted when it detaches) and brings the queue's deliveries to the delivery core.
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
    const { wire } = wiring;
    const source = (this.source = spec.source);
    this.prefetch = spec.policy.prefetch;
    this.core = new DeliveryCore<T>(
      { ...spec, handler: counted(wire.broker, spec.handler) },
      {
        metrics: wiring.metrics,
        logger: wiring.logger,
        closeTimeoutMs: wiring.closeTimeoutMs,
        wire: {
          republish: (queue, body, props) => wire.republish(queue, body, props),
          redeclare: () => {
            if (source.kind === 'work') wire.broker.declareWorkQueue(source.queue);
            return Promise.resolve();
          },
        },
      },
    );
  }

  get consuming(): boolean {
    return this.queue !== undefined && this.closing === undefined;
  }

  /** Attaches now when the wire is connected; otherwise at the next reconnect. */
  start(): Promise<void> {
    if (this.wiring.wire.connected) this.attach();
    return Promise.resolve();
  }

  /** Declares the queue (a fresh private one for pub/sub) and starts taking deliveries. */
  attach(): void {
    if (this.closing !== undefined) return;
    const b = this.wiring.wire.broker;
    const src = this.source;
    if (src.kind === 'work') {
      this.queue = b.declareWorkQueue(src.queue);
    } else {
      b.declareExchange(src.exchange, src.exchangeType);
      this.queue = b.declareQueue(src.queue);
      b.bind(src.queue, src.exchange, src.bindingKey);
    }
    this.queue.subscribe(this);
  }

  /** The connection is gone: unsettled messages return to the queue; a private queue disappears. */
  detach(): void {
    const q = this.queue;
    if (q === undefined) return;
    this.queue = undefined;
    q.unsubscribe(this);
    this.core.forgetLost();
    if (this.source.kind === 'fanout') this.wiring.wire.broker.deleteQueue(q.name);
  }

  /** Hands a delivery to the core, to be settled on the queue it came from. */
  deliver(env: Envelope, tag: number): void {
    const q = this.queue;
    if (q === undefined) return;
    this.core.deliver({
      body: env.body,
      properties: env.props,
      redelivered: env.redelivered,
      get owned() {
        return q.holds(tag);
      },
      ack: () => q.settle(tag, true), // false: the "connection" dropped meanwhile, and it was requeued
      requeue: () => {
        q.settle(tag, false);
      },
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.queue?.cancel(this);
    await this.core.drain();
    this.detach();
  }
}

/** `handler`, counted in `broker.handling` while it runs (the idle probe waits for it). */
function counted<T>(broker: MemoryBroker, handler: Handler<T>): Handler<T> {
  return async (value, meta) => {
    broker.handling++;
    try {
      await handler(value, meta);
    } finally {
      broker.handling--;
      broker.changed();
    }
  };
}
