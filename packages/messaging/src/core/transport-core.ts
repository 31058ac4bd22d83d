import type { Static, TSchema } from 'typebox';
import { resolvePolicy, type ConsumePolicy } from '../consume/policy.js';
import { fanoutSource, workSource, type ConsumerSource } from '../consume/source.js';
import { MessagingError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MessageType } from '../message-type.js';
import type { MessagingMetrics } from '../metrics.js';
import type { QueueType } from '../topology.js';
import type {
  ConnectionState,
  ConsumerOptions,
  DeclaringPublisher,
  Handler,
  Subscription,
  Transport,
} from '../transport.js';
import { EnvelopePublisher, type PublishWire } from './publisher.js';

/** A wire's consumer of one source, as the transport core starts, tracks and closes it. */
export interface WireConsumer extends Subscription {
  /** Resolves once it consumes; rejects (DECLARE_FAILED...) when it cannot. */
  start(): Promise<void>;
}

/** How a wire makes a consumer for `source`. */
export type ConsumerFactory<C extends WireConsumer> = <T>(
  type: MessageType,
  handler: Handler<T>,
  policy: ConsumePolicy,
  source: ConsumerSource,
) => C;

export interface TransportCoreSettings<C extends WireConsumer> {
  readonly logger: Logger;
  readonly initialState: ConnectionState;
  /** How a work queue is declared unless its message type says otherwise. */
  readonly queueType: QueueType;
  readonly consumer: ConsumerFactory<C>;
  /** A new publisher's wire. */
  readonly publisher: () => PublishWire;
  /** The default app id of what publishers send. */
  readonly appId: string | undefined;
  readonly metrics: MessagingMetrics | undefined;
  /** Close has begun: publishers are refused from now on (moves of deliveries still go out). */
  readonly closing?: () => void;
  /** After the consumers closed: closes the publishers' wires and the connection. */
  readonly closeWire: () => Promise<void>;
  /** Every state change, e.g. for the connection-state gauge. */
  readonly stateChanged?: (state: ConnectionState) => void;
}

/**
 * The Transport, written once whatever its wire: the connection state and its listeners, publishers made on
 * the wire, the sources of `subscribeToQueue` and `subscribe`, the consumers it started (each closed once,
 * all closed at close), refusing new work once closing, and the close order (consumers, whose failures may
 * still move messages, then the wire).
 */
export class TransportCore<C extends WireConsumer = WireConsumer> implements Transport {
  private current: ConnectionState;
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private readonly started = new Set<C>();
  private closingFlag = false;
  private closed: Promise<void> | undefined;

  constructor(private readonly s: TransportCoreSettings<C>) {
    this.current = s.initialState;
    s.stateChanged?.(s.initialState);
  }

  get state(): ConnectionState {
    return this.current;
  }

  get closing(): boolean {
    return this.closingFlag;
  }

  /** The consumers started and not closed. */
  get consumers(): Iterable<C> {
    return this.started;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the state; listeners hear each change once, and one that throws is logged, not propagated. */
  setState(state: ConnectionState): void {
    if (this.current === state) return;
    this.current = state;
    this.s.stateChanged?.(state);
    for (const l of this.listeners) {
      try {
        l(state);
      } catch (err) {
        this.s.logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'state listener threw',
        );
      }
    }
  }

  /** Throws CLOSED once the transport is closing. */
  assertOpen(): void {
    if (this.closingFlag) throw new MessagingError('CLOSED', 'transport is closed');
  }

  /** Rejects (never throws) with CLOSED, INVALID_MESSAGE (a type published to an exchange), DECLARE_FAILED... */
  async subscribeToQueue<S extends TSchema>(
    type: MessageType<S>,
    handler: Handler<Static<S>>,
    options: ConsumerOptions,
  ): Promise<Subscription> {
    this.assertOpen();
    return this.start(type, handler, options, workSource(type, this.s.queueType));
  }

  async subscribe<S extends TSchema>(
    type: MessageType<S>,
    handler: Handler<Static<S>>,
    options: ConsumerOptions & { readonly bindingKey?: string },
  ): Promise<Subscription> {
    this.assertOpen();
    return this.start(type, handler, options, fanoutSource(type, options.consumerName, options.bindingKey));
  }

  createPublisher(): DeclaringPublisher {
    this.assertOpen();
    return new EnvelopePublisher(this.s.publisher(), this.s.appId, this.s.metrics);
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closingFlag = true;
    this.s.closing?.();
    await Promise.all([...this.started].map((c) => c.close()));
    await this.s.closeWire();
    this.setState('closed');
  }

  private async start<T>(
    type: MessageType,
    handler: Handler<T>,
    options: ConsumerOptions,
    source: ConsumerSource,
  ): Promise<Subscription> {
    const consumer = this.s.consumer(type, handler, resolvePolicy(options), source);
    this.started.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.started.delete(consumer);
      await consumer.close();
      throw err;
    }
    return {
      get consuming() {
        return consumer.consuming;
      },
      close: async () => {
        await consumer.close();
        this.started.delete(consumer);
      },
    };
  }
}
