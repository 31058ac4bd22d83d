import type { PublishEnvelope } from '../core/envelope.js';
import type { PublishWire } from '../core/publisher.js';
import { ConnectionError, MessagingError, type MessagingErrorCode } from '../errors.js';
import type { Destination, MessageType } from '../message-type.js';
import type { PublishStats } from '../metrics.js';
import type { MemoryBroker } from './broker.js';
import { memoryProps, type MemoryProperties } from './queue.js';

export interface MemoryWireSettings {
  /** How long a publish waits while "disconnected" before NOT_CONNECTED. */
  readonly publishWaitMs: number;
  /** Publishes allowed to wait; beyond, BACKPRESSURE. */
  readonly maxWaitingPublishes: number;
}

interface Waiting {
  readonly run: () => void;
  readonly reject: (err: MessagingError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The in-memory "connection" to a MemoryBroker: publishes go out while it is connected and wait (bounded, like
 * the real transport's) while it is not; types declared up front are declared again on every reconnect; a
 * test can make every publish fail with a code.
 */
export class MemoryWire {
  private connectedFlag = true;
  /** The transport is closing: its publishers get CLOSED (moves of deliveries still go out). */
  private refusing = false;
  private waiting: Waiting[] = [];
  private failing: MessagingErrorCode | undefined;
  /** Types declared up front (DeclaringPublisher.declare): declared again on every reconnect. */
  private readonly pinned = new Set<MessageType>();

  constructor(
    readonly broker: MemoryBroker,
    private readonly settings: MemoryWireSettings,
  ) {}

  get connected(): boolean {
    return this.connectedFlag;
  }

  /** A publisher's wire on this connection. */
  publisher(): PublishWire {
    return {
      ensureDeclared: (type) => {
        this.declareDestination(type.destination);
        return undefined;
      },
      declare: (type) => this.declare(type),
      send: (e, stats) => this.sendEnvelope(e, stats),
      close: () => Promise.resolve(),
    };
  }

  disconnect(): void {
    this.connectedFlag = false;
  }

  /** Connected again: pinned types are declared again (waiting publishes go out on `releaseWaiting`). */
  reconnect(): void {
    this.connectedFlag = true;
    for (const type of this.pinned) this.declareDestination(type.destination);
  }

  /** Sends what waited for the reconnect (after the consumers re-attached, as on a real reconnect). */
  releaseWaiting(): void {
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.run();
    }
  }

  fail(code: MessagingErrorCode | undefined): void {
    this.failing = code;
  }

  /** Publishes to `queue` through the default exchange (moves to the delay and dead-letter queues). */
  republish(queue: string, body: Buffer, props: MemoryProperties, stats: PublishStats): Promise<void> {
    return this.send('', queue, body, props, true, stats);
  }

  /** From now on publishers get CLOSED; moves of deliveries (republish) still go out. */
  closing(): void {
    this.refusing = true;
  }

  /** Rejects every publish still waiting for a reconnect with CLOSED. */
  close(): void {
    this.refusing = true;
    const closed = new MessagingError('CLOSED', 'transport closed before the broker came back');
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(closed);
    }
  }

  private declareDestination(d: Destination): void {
    if (d.kind === 'queue') this.broker.declareWorkQueue(d.queue);
    else this.broker.declareExchange(d.exchange, d.exchangeType);
  }

  private declare(type: MessageType): Promise<void> {
    if (this.refusing) return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    this.pinned.add(type);
    return new Promise<void>((resolve, reject) => {
      this.whenConnected(() => {
        this.declareDestination(type.destination);
        resolve();
      }, reject);
    });
  }

  private sendEnvelope(e: PublishEnvelope, stats: PublishStats): Promise<void> {
    if (this.refusing) return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    const mandatory = e.props.mandatory === true;
    return this.send(e.exchange, e.routingKey, e.body, memoryProps(e.props), mandatory, stats);
  }

  private send(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: MemoryProperties,
    mandatory: boolean,
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
          return;
        }
        if (this.broker.route(exchange, routingKey, { body, props, redelivered: false }) === 0 && mandatory) {
          fail(new MessagingError('UNROUTABLE', `no queue received the message (${exchange || routingKey})`));
          return;
        }
        stats.confirmed(0);
        resolve();
      };
      this.whenConnected(run, fail);
    });
  }

  /** Runs `run` soon while connected; else waits (bounded, like the real transport) for the reconnect. */
  private whenConnected(run: () => void, fail: (err: MessagingError) => void): void {
    if (this.connectedFlag) {
      queueMicrotask(run);
      return;
    }
    if (this.waiting.length >= this.settings.maxWaitingPublishes) {
      fail(new MessagingError('BACKPRESSURE', `${this.waiting.length} publishes already waiting`));
      return;
    }
    const waitMs = this.settings.publishWaitMs;
    const entry: Waiting = {
      run,
      reject: fail,
      timer: setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        fail(new ConnectionError('NOT_CONNECTED', `broker unavailable for more than ${waitMs} ms`));
      }, waitMs),
    };
    this.waiting.push(entry);
  }
}
