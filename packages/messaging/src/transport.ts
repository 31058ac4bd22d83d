import type { Static, TSchema } from 'typebox';
import type { MessageType } from './message-type.js';

/** What a handler learns about a message besides its parsed body. */
export interface MessageMeta {
  readonly messageId: string | undefined;
  /** Publish time from the AMQP `timestamp` property (ms since epoch), when the publisher set one. */
  readonly timestamp: number | undefined;
  readonly type: string | undefined;
  readonly appId: string | undefined;
  /** True when the broker delivered this message before (to us or another consumer). */
  readonly redelivered: boolean;
  /** How many times our consumer retried this message through the delay queue (0 on first delivery). */
  readonly retryCount: number;
  readonly headers: Readonly<Record<string, unknown>>;
  /** W3C trace context carried from the publisher, when it sent one. */
  readonly traceparent: string | undefined;
  readonly body: Buffer;
}

/**
 * A handler is a function. Resolving acknowledges the message; throwing makes the consumer retry it
 * (bounded), then park it in the dead-letter queue. Never called twice at once for the same message.
 */
export type Handler<T> = (message: T, meta: MessageMeta) => Promise<void>;

export interface PublishOptions {
  /** Defaults to a new UUID. Keep it across retries of the same logical message so receivers can dedup. */
  readonly messageId?: string;
  /** ms since epoch; defaults to now. */
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly traceparent?: string;
  /** Overrides the routing key of an exchange destination. */
  readonly routingKey?: string;
  /** Report a message no queue received as MessagingError('UNROUTABLE'). Default true for queue destinations. */
  readonly mandatory?: boolean;
  readonly appId?: string;
}

/** Publishes typed messages. */
export interface Publisher {
  /**
   * Resolves once the broker has confirmed the message (persisted, for durable queues).
   * Rejects with a MessagingError: INVALID_MESSAGE (schema), NOT_CONNECTED / BACKPRESSURE (broker away too
   * long or too many publishes waiting), CONFIRM_TIMEOUT, NACKED, UNROUTABLE, CHANNEL_CLOSED, CLOSED.
   * A rejected publish may still have reached the broker (CONFIRM_TIMEOUT, CHANNEL_CLOSED): retry with the
   * same messageId and let the receiver dedup.
   */
  publish<S extends TSchema>(
    type: MessageType<S>,
    message: Static<S>,
    options?: PublishOptions,
  ): Promise<void>;
  /** Waits (bounded) for outstanding confirms, then releases the channel. Safe to call twice. */
  close(): Promise<void>;
}

/** A transport's publisher: it can also declare a type's destination ahead of the first publish. */
export interface DeclaringPublisher extends Publisher {
  /**
   * Declares `type`'s destination now (a work queue with its delay and dead-letter queues, or an exchange),
   * e.g. at service startup, so that the queue exists before the first message; declared again after every
   * reconnect for the life of the transport. Resolves once the broker has declared it; rejects with
   * NOT_CONNECTED (broker away longer than the publish wait), DECLARE_FAILED or CLOSED. An existing queue with
   * other arguments is used as it is, unless one of them loses messages: DECLARE_FAILED (see README, Topology).
   */
  declare(type: MessageType): Promise<void>;
}

export interface ConsumerOptions {
  /** Names this consumer in logs, metrics and (for pub/sub) its queue name. */
  readonly consumerName: string;
  /** Unacknowledged messages the broker may send us at once. Default 50. */
  readonly prefetch?: number;
  /** Handlers running at once. Default: prefetch. */
  readonly concurrency?: number;
  /** Attempts in-process before the message goes to the delay queue. Default 3. */
  readonly immediateAttempts?: number;
  /** Round trips through the delay queue before the message is dead-lettered. Default 3. */
  readonly delayedRetries?: number;
  /** Delay of the first delayed retry in ms, doubled for each further one. Default 1000. */
  readonly retryDelayMs?: number;
}

/** A live consumer. Survives reconnects: it re-attaches itself. */
export interface Subscription {
  /** True while the consumer is attached to its queue on a live channel. */
  readonly consuming: boolean;
  /** Stops taking messages, waits (bounded) for handlers in flight to finish and ack. Safe to call twice. */
  close(): Promise<void>;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/**
 * A messaging client split into roles. A transport owns one connection (or, in memory, one
 * broker) and makes publishers and subscriptions from it.
 */
export interface Transport {
  readonly state: ConnectionState;
  /** The broker node (host:port) it is connected to, where there is one to name; undefined while none. */
  readonly node?: string | undefined;
  /** Subscribe to connection state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  createPublisher(): DeclaringPublisher;
  /**
   * Work queue: competing consumers share the type's durable queue, each message goes to one of them.
   * Declares the queue, its delay queue `<queue>.retry` and dead-letter queue `<queue>.dlq` (classic by
   * default; see QueueType). A queue that exists with other arguments is used as it is, with one warning,
   * unless one of them loses messages: DECLARE_FAILED.
   */
  subscribeToQueue<S extends TSchema>(
    type: MessageType<S>,
    handler: Handler<Static<S>>,
    options: ConsumerOptions,
  ): Promise<Subscription>;
  /**
   * Publish/subscribe: every subscriber gets a copy, through a queue of its own that disappears with it
   * (exclusive, auto-delete). Messages failing the schema are dropped with a log line (there is no DLQ
   * for a private queue); handler failures are retried in-process, then dropped and counted.
   */
  subscribe<S extends TSchema>(
    type: MessageType<S>,
    handler: Handler<Static<S>>,
    options: ConsumerOptions & { readonly bindingKey?: string },
  ): Promise<Subscription>;
  /** Cancels consumers, waits (bounded) for handlers and confirms in flight, closes. Safe to call twice. */
  close(): Promise<void>;
}
