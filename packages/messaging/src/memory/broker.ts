import { deadLetterQueueName, retryQueueName } from '../topology.js';
import { MemoryQueue, type Envelope, type QueueEvents } from './queue.js';
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
 * An in-process broker: queues, exchanges (direct, topic, fanout), bindings, and delay queues whose messages
 * come back when they expire, with the routing rules of RabbitMQ. Several MemoryTransports can share one, like
 * several services sharing a RabbitMQ. It does not model queue types or arguments: no delivery limit.
 */
export class MemoryBroker implements QueueEvents {
  readonly queues = new Map<string, MemoryQueue>();
  private readonly exchanges = new Map<string, Exchange>();
  private readonly published = new Map<string, RecordedMessage[]>();
  private readonly parked = new Map<string, RecordedMessage[]>();
  private readonly acks = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private timers = 0;
  /** Handlers running, counted by consumers (for idleness). */
  busy = 0;

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

  /** A work queue with its delay queue and its dead-letter queue. The first declaration of a queue wins. */
  declareWorkQueue(queue: string): MemoryQueue {
    this.declareQueue(deadLetterQueueName(queue));
    this.declareQueue(retryQueueName(queue), { deadLetterTo: queue });
    return this.declareQueue(queue);
  }

  declareExchange(name: string, type: string): void {
    if (!this.exchanges.has(name)) this.exchanges.set(name, { type, bindings: [] });
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
      q.enqueue({ ...env, redelivered: false });
      n++;
    }
    this.changed();
    return n;
  }

  expired(routingKey: string, env: Envelope): void {
    this.queues.get(routingKey)?.enqueue(env);
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
