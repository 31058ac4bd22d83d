import { buildMeta } from '../consume/meta.js';
import type { PublishProperties } from '../core/properties.js';
import type { MessageMeta } from '../transport.js';
import { deadLetterQueueName, retryQueueName } from '../topology.js';
import { MemoryQueue } from './queue.js';
import { routes } from './routing.js';

/** A message as it was published, for test assertions: where it went, and what its handler would see. */
export interface RecordedMessage extends Omit<MessageMeta, 'redelivered'> {
  /** Queue name (default exchange) or exchange name. */
  readonly destination: string;
  readonly routingKey: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly value: unknown;
}

interface Exchange {
  readonly type: string;
  bindings: { readonly queue: string; readonly key: string }[];
}

/**
 * An in-process broker: queues, exchanges (direct, topic, fanout) with their bindings, and delay queues
 * whose messages go back to their work queue when they expire, with RabbitMQ's routing rules. Several
 * MemoryTransports can share one, like several services sharing a RabbitMQ. It records what was published
 * to each destination for the probes. It models no queue types or queue arguments: no delivery limit.
 */
export class MemoryBroker {
  readonly queues = new Map<string, MemoryQueue>();
  private readonly exchanges = new Map<string, Exchange>();
  private readonly published = new Map<string, RecordedMessage[]>();
  private readonly listeners = new Set<() => void>();

  /** The queue `name`, declared now unless it exists; a delay queue hands what expires to `expiresTo`. */
  declareQueue(name: string, expiresTo?: string): MemoryQueue {
    let q = this.queues.get(name);
    if (q === undefined) {
      q = new MemoryQueue(name, this, expiresTo);
      this.queues.set(name, q);
    }
    return q;
  }

  /** A work queue with its delay queue and its dead-letter queue. The first declaration of a queue wins. */
  declareWorkQueue(queue: string): MemoryQueue {
    this.declareQueue(deadLetterQueueName(queue));
    this.declareQueue(retryQueueName(queue), queue);
    return this.declareQueue(queue);
  }

  deleteQueue(name: string): void {
    const q = this.queues.get(name);
    if (q === undefined) return;
    q.destroy();
    this.queues.delete(name);
    for (const ex of this.exchanges.values()) ex.bindings = ex.bindings.filter((b) => b.queue !== name);
    this.changed();
  }

  declareExchange(name: string, type: string): void {
    if (!this.exchanges.has(name)) this.exchanges.set(name, { type, bindings: [] });
  }

  bind(queue: string, exchange: string, key: string): void {
    this.exchanges.get(exchange)?.bindings.push({ queue, key });
  }

  /** Records a message and routes it ('' is the default exchange); returns how many queues received it. */
  route(exchange: string, routingKey: string, body: Buffer, props: Readonly<PublishProperties>): number {
    const destination = exchange === '' ? routingKey : exchange;
    const recorded = this.published.get(destination) ?? [];
    this.published.set(destination, recorded);
    recorded.push(recordOf(destination, routingKey, body, props));
    const ex = this.exchanges.get(exchange);
    const targets =
      exchange === ''
        ? [routingKey]
        : (ex?.bindings.filter((b) => routes(ex.type, b.key, routingKey)).map((b) => b.queue) ?? []);
    let n = 0;
    for (const name of targets) {
      const q = this.queues.get(name);
      if (q === undefined) continue;
      q.enqueue({ body, props, redelivered: false });
      n++;
    }
    this.changed();
    return n;
  }

  /** Every message published so far to a queue (default exchange) or an exchange, in order. */
  publishedTo(destination: string): readonly RecordedMessage[] {
    return this.published.get(destination) ?? [];
  }

  /** Calls `listener` after every change (a message routed, delivered, settled or expired); returns its removal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners something changed. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

function recordOf(
  destination: string,
  routingKey: string,
  body: Buffer,
  props: Readonly<PublishProperties>,
): RecordedMessage {
  const { redelivered: _, ...meta } = buildMeta(body, props, false);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    value = undefined;
  }
  return { ...meta, destination, routingKey, value };
}
