import type { PublishWire } from '../core/publisher.js';
import type { PublishProperties } from '../core/properties.js';
import { AwaitingConnection } from '../core/awaiting-connection.js';
import { MessagingError, type MessagingErrorCode } from '../errors.js';
import type { Destination, MessageType } from '../message-type.js';
import { noPublishStats, type PublishStats } from '../metrics.js';
import type { MemoryBroker } from './broker.js';

export interface MemoryWireSettings {
  /** How long a publish waits while "disconnected" before NOT_CONNECTED. */
  readonly publishWaitMs: number;
  /** Publishes allowed to wait; beyond, BACKPRESSURE. */
  readonly maxWaitingPublishes: number;
}

/**
 * The in-memory "connection" to a MemoryBroker: publishes are confirmed while it is connected and wait
 * (bounded, as on the RabbitMQ wire) while it is not; types declared up front are declared again on every
 * reconnect; a test can make every publish fail with a code.
 */
export class MemoryWire {
  private isConnected = true;
  /** The transport is closing: its publishers get CLOSED (moves of deliveries still go out). */
  private refusing = false;
  private readonly waiting = new AwaitingConnection<void>();
  private failing: MessagingErrorCode | undefined;
  /** Types declared up front (DeclaringPublisher.declare): declared again on every reconnect. */
  private readonly pinned = new Set<MessageType>();

  constructor(
    readonly broker: MemoryBroker,
    private readonly settings: MemoryWireSettings,
  ) {}

  get connected(): boolean {
    return this.isConnected;
  }

  /** A publisher's wire on this connection. */
  publisher(): PublishWire {
    return {
      ensureDeclared: (type) => {
        this.declareDestination(type.destination);
        return undefined;
      },
      declare: (type) => {
        if (this.refusing) return Promise.reject(closedError());
        this.pinned.add(type);
        return new Promise<void>((resolve, reject) => {
          this.whenConnected(() => {
            this.declareDestination(type.destination);
            resolve();
          }, reject);
        });
      },
      send: (e, stats) => {
        if (this.refusing) return Promise.reject(closedError());
        return this.send(e.exchange, e.routingKey, e.body, e.props, stats);
      },
      close: () => Promise.resolve(),
    };
  }

  /** Publishes to `queue` through the default exchange (moves to the delay and dead-letter queues). */
  republish(queue: string, body: Buffer, props: PublishProperties): Promise<void> {
    return this.send('', queue, body, props, noPublishStats);
  }

  disconnect(): void {
    this.isConnected = false;
  }

  /** Connected again: pinned types are declared again (waiting publishes go out on `releaseWaiting`). */
  reconnect(): void {
    this.isConnected = true;
    for (const type of this.pinned) this.declareDestination(type.destination);
  }

  /** Sends what waited for the reconnect (after the consumers re-attached, as on a real reconnect). */
  releaseWaiting(): void {
    this.waiting.connected();
  }

  fail(code: MessagingErrorCode | undefined): void {
    this.failing = code;
  }

  /** From now on publishers get CLOSED; moves of deliveries (republish) still go out. */
  closing(): void {
    this.refusing = true;
  }

  /** Rejects every publish still waiting for a reconnect with CLOSED. */
  close(): void {
    this.refusing = true;
    this.waiting.fail(new MessagingError('CLOSED', 'transport closed before the broker came back'));
  }

  private declareDestination(d: Destination): void {
    if (d.kind === 'queue') this.broker.declareWorkQueue(d.queue);
    else this.broker.declareExchange(d.exchange, d.exchangeType);
  }

  private send(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: PublishProperties,
    stats: PublishStats,
  ): Promise<void> {
    stats.published();
    return new Promise<void>((resolve, reject) => {
      const fail = (err: MessagingError): void => {
        stats.failed(err.code);
        reject(err);
      };
      const run = (): void => {
        if (this.failing !== undefined) {
          fail(new MessagingError(this.failing, `simulated publish failure (${this.failing})`));
        } else if (this.broker.route(exchange, routingKey, body, props) === 0 && props.mandatory === true) {
          fail(new MessagingError('UNROUTABLE', `no queue received the message (${exchange || routingKey})`));
        } else {
          stats.confirmed(0);
          resolve();
        }
      };
      this.whenConnected(run, fail);
    });
  }

  /** Runs `run` soon while connected; else waits (bounded, as on the RabbitMQ wire) for the reconnect. */
  private whenConnected(run: () => void, fail: (err: MessagingError) => void): void {
    if (this.isConnected) {
      queueMicrotask(run);
      return;
    }
    if (this.waiting.size >= this.settings.maxWaitingPublishes) {
      fail(new MessagingError('BACKPRESSURE', `${this.waiting.size} publishes already waiting`));
      return;
    }
    // AwaitingConnection rejects only with MessagingErrors (NOT_CONNECTED, or CLOSED from close()).
    this.waiting.next(this.settings.publishWaitMs).then(run, (err: unknown) => {
      fail(err instanceof MessagingError ? err : new MessagingError('CLOSED', String(err)));
    });
  }
}

function closedError(): MessagingError {
  return new MessagingError('CLOSED', 'transport is closed');
}
