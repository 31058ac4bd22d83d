import type { Destination } from '../message-type.js';
import {
  deadLetterQueueName,
  DEFAULT_DELIVERY_LIMIT,
  DEFAULT_QUEUE_TYPE,
  retryQueueName,
  type QueueType,
} from '../topology.js';
import { MemoryQueue, type Envelope, type QueueHost } from './queue.js';
import { routes } from './routing.js';

interface Exchange {
  readonly type: string;
  readonly bindings: { readonly queue: string; readonly key: string }[];
}

/** A message as it was published or parked, for test assertions. */
export interface RecordedMessage {
  /** Queue name (default exchange) or exchange name. */
  readonly destination: string;
  readonly routingKey: string;
  readonly body: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly value: unknown;
  readonly messageId: string | undefined;
  readonly type: string | undefined;
  readonly appId: string | undefined;
  /** ms since epoch (AMQP carries seconds). */
  readonly timestamp: number | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
}

/**
 * An in-process broker: queues, exchanges (direct, topic, fanout), bindings, dead-lettering and per-message
 * expiry, with the routing rules of RabbitMQ. Several MemoryTransports can share one, like several services
 * sharing a RabbitMQ.
 */
export class MemoryBroker implements QueueHost {
  readonly queues = new Map<string, MemoryQueue>();
  private readonly exchanges = new Map<string, Exchange>();
  private readonly published = new Map<string, RecordedMessage[]>();
  private readonly parked = new Map<string, RecordedMessage[]>();
  private readonly acks = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private timers = 0;
  /** Handlers running, counted by consumers (for idleness). */
  busy = 0;

  /** `deliveryLimit`: for quorum work queues whose declaration sets none. */
  constructor(readonly deliveryLimit = DEFAULT_DELIVERY_LIMIT) {}

  declareQueue(name: string, options: ConstructorParameters<typeof MemoryQueue>[1] = {}): MemoryQueue {
    let q = this.queues.get(name);
    if (q === undefined) {
      q = new MemoryQueue(name, options, this);
      this.queues.set(name, q);
    }
    return q;
  }

  deleteQueue(name: string): void {
    const q = this.queues.get(name);
    if (q === undefined) return;
    q.destroy();
    this.queues.delete(name);
    for (const ex of this.exchanges.values()) {
      for (let i = ex.bindings.length - 1; i >= 0; i--)
        if (ex.bindings[i]?.queue === name) ex.bindings.splice(i, 1);
    }
    this.changed();
  }

  /**
   * The work queue, its delay queue and its dead-letter queue, as the RabbitMQ transport declares them: only a
   * quorum work queue has the delivery limit. Like the real transport facing a queue declared differently,
   * the first declaration wins.
   */
  declareWorkQueue(
    queue: string,
    queueType: QueueType = DEFAULT_QUEUE_TYPE,
    deliveryLimit = this.deliveryLimit,
  ): MemoryQueue {
    this.declareQueue(deadLetterQueueName(queue));
    this.declareQueue(retryQueueName(queue), { deadLetterTo: queue });
    return this.declareQueue(
      queue,
      queueType === 'quorum' ? { deadLetterTo: deadLetterQueueName(queue), deliveryLimit } : {},
    );
  }

  declareExchange(name: string, type: string): void {
    if (!this.exchanges.has(name)) this.exchanges.set(name, { type, bindings: [] });
  }

  /** `queueType` applies to a queue destination that does not name its own. */
  declareDestination(
    d: Destination,
    queueType: QueueType = DEFAULT_QUEUE_TYPE,
    deliveryLimit = this.deliveryLimit,
  ): void {
    if (d.kind === 'queue') this.declareWorkQueue(d.queue, d.queueType ?? queueType, deliveryLimit);
    else this.declareExchange(d.exchange, d.exchangeType);
  }

  bind(queue: string, exchange: string, key: string): void {
    this.exchanges.get(exchange)?.bindings.push({ queue, key });
  }

  /** Routes a message; returns how many queues received it. */
  route(exchange: string, routingKey: string, env: Envelope): number {
    this.record(this.published, exchange === '' ? routingKey : exchange, routingKey, env);
    if (exchange === '') {
      const q = this.queues.get(routingKey);
      if (q === undefined) return 0;
      q.enqueue(env);
      this.changed();
      return 1;
    }
    const ex = this.exchanges.get(exchange);
    if (ex === undefined) return 0;
    let n = 0;
    for (const b of ex.bindings) {
      if (!routes(ex.type, b.key, routingKey)) continue;
      const q = this.queues.get(b.queue);
      if (q === undefined) continue;
      q.enqueue({ ...env, deliveries: 0, redelivered: false });
      n++;
    }
    this.changed();
    return n;
  }

  deadLetter(routingKey: string, env: Envelope, reason: string, from: string): void {
    const props =
      reason === 'expired'
        ? env.props
        : {
            ...env.props,
            headers: { ...env.props.headers, 'x-first-death-reason': reason, 'x-first-death-queue': from },
          };
    const moved: Envelope = { body: env.body, props, deliveries: 0, redelivered: false };
    if (reason !== 'expired') this.record(this.parked, routingKey, routingKey, moved);
    this.queues.get(routingKey)?.enqueue(moved);
    this.changed();
  }

  /** Records a message a consumer parked in `<queue>.dlq` itself. */
  recordParked(dlq: string, env: Envelope): void {
    this.record(this.parked, dlq, dlq, env);
  }

  recordAck(queue: string): void {
    this.acks.set(queue, (this.acks.get(queue) ?? 0) + 1);
    this.changed();
  }

  publishedTo(destination: string): readonly RecordedMessage[] {
    return this.published.get(destination) ?? [];
  }

  parkedIn(dlq: string): readonly RecordedMessage[] {
    return this.parked.get(dlq) ?? [];
  }

  ackedOn(queue: string): number {
    return this.acks.get(queue) ?? 0;
  }

  /** Nothing deliverable waits, nothing is unacknowledged, no delay is pending, no handler runs. */
  get idle(): boolean {
    if (this.timers > 0 || this.busy > 0) return false;
    for (const q of this.queues.values()) {
      if (q.unackedCount > 0 || (q.hasSubscribers && q.ready.length > 0)) return false;
    }
    return true;
  }

  /** Resolves when `predicate` holds, checked after every change; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
    const now = predicate();
    if (now !== undefined && now !== false) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const listener = (): void => {
        const v = predicate();
        if (v === undefined || v === false) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  timerStarted(): void {
    this.timers++;
  }

  timerDone(): void {
    this.timers--;
    this.changed();
  }

  private record(
    into: Map<string, RecordedMessage[]>,
    destination: string,
    routingKey: string,
    env: Envelope,
  ): void {
    let list = into.get(destination);
    if (list === undefined) {
      list = [];
      into.set(destination, list);
    }
    let value: unknown;
    try {
      value = JSON.parse(env.body.toString('utf8'));
    } catch {
      value = undefined;
    }
    const p = env.props;
    list.push({
      destination,
      routingKey,
      body: env.body,
      value,
      messageId: p.messageId,
      type: p.type,
      appId: p.appId,
      timestamp: p.timestamp === undefined ? undefined : p.timestamp * 1000,
      headers: p.headers ?? {},
    });
  }
}
