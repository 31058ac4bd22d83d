import type { ConsumerSource } from '../consume/source.js';
import type { ConsumePolicy } from '../consume/policy.js';
import { DeliveryCore, type Delivery } from '../core/delivery.js';
import type { ReceivedProperties } from '../core/properties.js';
import type { Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import { noPublishStats, type ConsumeStats } from '../metrics.js';
import type { Handler, Subscription } from '../transport.js';
import type { MemoryBroker } from './broker.js';
import { memoryProps, type Envelope, type MemoryQueue, type QueueSubscriber } from './queue.js';
import type { MemoryWire } from './wire.js';

/** What every consumer of a memory transport is made with. */
export interface MemoryConsumerWiring {
  /** Moves go through it: they wait while it is disconnected, like the real transport's. */
  readonly wire: MemoryWire;
  readonly logger: Logger;
  readonly closeTimeoutMs: number;
}

/** A delivery of the in-memory broker, settled on the queue it came from. */
class MemoryDelivery implements Delivery {
  constructor(
    readonly env: Envelope,
    private readonly tag: number,
    private readonly queue: MemoryQueue,
    private readonly broker: MemoryBroker,
  ) {}

  get body(): Buffer {
    return this.env.body;
  }

  get properties(): ReceivedProperties {
    return this.env.props as ReceivedProperties;
  }

  get redelivered(): boolean {
    return this.env.redelivered;
  }

  get owned(): boolean {
    return this.queue.holds(this.tag);
  }

  ack(): boolean {
    if (!this.queue.ack(this.tag)) return false; // the "connection" dropped meanwhile: requeued
    this.broker.recordAck(this.queue.name);
    return true;
  }

  requeue(): void {
    this.queue.nack(this.tag);
  }
}

/** The in-memory wire's consumer: brings deliveries of a memory queue to the delivery core. */
export class MemoryConsumer<T> implements Subscription, QueueSubscriber {
  readonly prefetch: number;
  unacked = 0;
  private queue: MemoryQueue | undefined;
  private closing: Promise<void> | undefined;
  private readonly core: DeliveryCore<T, MemoryDelivery>;

  constructor(
    private readonly host: MemoryConsumerWiring,
    type: MessageType,
    handler: Handler<T>,
    policy: ConsumePolicy,
    private readonly source: ConsumerSource,
    stats: ConsumeStats,
  ) {
    this.prefetch = policy.prefetch;
    const broker = host.wire.broker;
    this.core = new DeliveryCore<T, MemoryDelivery>({
      type,
      handler,
      policy,
      source,
      stats,
      timed: true,
      logger: host.logger,
      closeTimeoutMs: host.closeTimeoutMs,
      wire: {
        republish: (queue, body, props) =>
          host.wire.republish(queue, body, memoryProps(props), noPublishStats),
        redeclare: () => {
          if (source.kind === 'work') broker.declareWorkQueue(source.queue);
          return Promise.resolve();
        },
        parked: (queue, d, props) => {
          broker.recordParked(queue, {
            body: d.body,
            props: memoryProps(props),
            redelivered: false,
          });
        },
        started: () => {
          broker.busy++;
        },
        finished: () => {
          broker.busy--;
          broker.changed();
        },
      },
    });
  }

  get consuming(): boolean {
    return this.queue !== undefined && this.closing === undefined;
  }

  /** Attaches now when the transport is connected; otherwise at the next reconnect. */
  start(): Promise<void> {
    if (this.host.wire.connected) this.attach();
    return Promise.resolve();
  }

  /** Declares the queue (a fresh private one for pub/sub) and starts taking deliveries. */
  attach(): void {
    if (this.closing !== undefined) return;
    const b = this.host.wire.broker;
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

  /** The connection is gone: unacknowledged messages return to the queue; a private queue disappears. */
  detach(): void {
    const q = this.queue;
    if (q === undefined) return;
    this.queue = undefined;
    q.unsubscribe(this);
    this.core.forgetLost();
    if (this.source.kind === 'fanout') this.host.wire.broker.deleteQueue(q.name);
  }

  deliver(env: Envelope, tag: number): void {
    const q = this.queue;
    if (q === undefined) return;
    this.core.deliver(new MemoryDelivery(env, tag, q, this.host.wire.broker));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.queue?.cancel(this);
    await this.core.drain();
    const q = this.queue;
    this.queue = undefined;
    if (q !== undefined) {
      q.unsubscribe(this);
      if (this.source.kind === 'fanout') this.host.wire.broker.deleteQueue(q.name);
    }
  }
}
