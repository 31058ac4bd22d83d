import type { Static, TSchema } from 'typebox';
import { resolvePolicy } from '../consume/policy.js';
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
import type { ConsumerSpec } from './delivery.js';
import { EnvelopePublisher, type PublishWire } from './publisher.js';

/** A wire's consumer of one source, as the transport core starts, tracks and closes it. */
export interface WireConsumer extends Subscription {
  /** Resolves once it consumes; rejects (DECLARE_FAILED...) when it cannot. */
  start(): Promise<void>;
}

/** What the transport core is made with, whatever its wire. */
export interface TransportCoreSettings {
  readonly logger: Logger;
  readonly initialState: ConnectionState;
  /** How a work queue is declared unless its message type says otherwise. */
  readonly queueType: QueueType;
  /** The default app id of what publishers send. */
  readonly appId: string | undefined;
  readonly metrics: MessagingMetrics | undefined;
  /** The connection's label in the connection-state gauge. */
  readonly connectionName: string;
}

/**
 * The Transport, written once whatever its wire: the connection state and its listeners, publishers made on
 * the wire, the sources of `subscribeToQueue` and `subscribe`, the consumers it started (each closed once,
 * all closed at close), refusing new work once closing, and the close order (consumers, whose failures may
 * still move messages, then the wire). A wire's transport extends it with how it makes consumers and
 * publishers and how it closes.
 */
export abstract class TransportCore<C extends WireConsumer = WireConsumer> implements Transport {
  private current: ConnectionState;
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private readonly started = new Set<C>();
  private closingFlag = false;
  private closed: Promise<void> | undefined;

  protected constructor(private readonly coreSettings: TransportCoreSettings) {
    this.current = coreSettings.initialState;
    coreSettings.metrics?.setConnectionState(coreSettings.connectionName, this.current);
  }

  /** The wire's consumer of one subscription (not started yet). */
  protected abstract createConsumer<T>(spec: ConsumerSpec<T>): C;
  /** A new publisher's wire. */
  protected abstract publisherWire(): PublishWire;
  /** Close has begun: publishers are refused from now on (moves of deliveries still go out). */
  protected abstract refusePublishers(): void;
  /** After the consumers closed: closes the publishers' wires and the connection. */
  protected abstract closeWire(): Promise<void>;

  get state(): ConnectionState {
    return this.current;
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects (never throws) with CLOSED, INVALID_OPTIONS (a type published to an exchange), DECLARE_FAILED... */
  async subscribeToQueue<S extends TSchema>(
    type: MessageType<S>,
    handler: Handler<Static<S>>,
    options: ConsumerOptions,
  ): Promise<Subscription> {
    this.assertOpen();
    return this.start(type, handler, options, workSource(type, this.coreSettings.queueType));
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
    const { appId, metrics } = this.coreSettings;
    return new EnvelopePublisher(this.publisherWire(), appId, metrics);
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  /** The consumers started and not closed. */
  protected get consumers(): Iterable<C> {
    return this.started;
  }

  /** Sets the state; listeners hear each change once, and one that throws is logged, not propagated. */
  protected setState(state: ConnectionState): void {
    if (this.current === state) return;
    this.current = state;
    this.coreSettings.metrics?.setConnectionState(this.coreSettings.connectionName, state);
    for (const l of this.listeners) {
      try {
        l(state);
      } catch (err) {
        this.coreSettings.logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'state listener threw',
        );
      }
    }
  }

  /** Throws CLOSED once the transport is closing. */
  private assertOpen(): void {
    if (this.closingFlag) throw new MessagingError('CLOSED', 'transport is closed');
  }

  private async shutdown(): Promise<void> {
    this.closingFlag = true;
    this.refusePublishers();
    await Promise.all([...this.started].map((c) => c.close()));
    await this.closeWire();
    this.setState('closed');
  }

  private async start<T>(
    type: MessageType,
    handler: Handler<T>,
    options: ConsumerOptions,
    source: ConsumerSource,
  ): Promise<Subscription> {
    const consumer = this.createConsumer({ type, handler, policy: resolvePolicy(options), source });
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
