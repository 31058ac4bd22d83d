import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { Static, TSchema } from 'typebox';
import { ChannelError, ConnectionError, MessagingError } from '../errors.js';
import { envelopeOf, type PublishEnvelope } from '../core/envelope.js';
import type { MessageType } from '../message-type.js';
import { noPublishStats, type MessagingMetrics, type PublishStats } from '../metrics.js';
import type { DeclaringPublisher, PublishOptions } from '../transport.js';
import type { ChannelHost } from './host.js';
import { ConfirmWindow } from './confirm-window.js';
import { ManagedChannel, type Session } from './managed-channel.js';

export interface PublisherHost extends ChannelHost {
  /** undefined when `type`'s destination is already declared on the live connection (the hot path). */
  ensureDeclared(type: MessageType, waitMs: number): Promise<void> | undefined;
  /** A channel error may mean a queue or exchange was deleted: declare again before the next publish. */
  invalidateDeclarations(): void;
  /** Declare `type`'s destination again on every new connection, not only before the next publish. */
  pin(type: MessageType): void;
}

export interface PublisherSettings {
  readonly name: string;
  readonly appId: string | undefined;
  /** Messages written and not yet confirmed, at most. */
  readonly confirmWindow: number;
  readonly confirmTimeoutMs: number;
  /** How long a publish may wait for a connection, a free window slot, drain or unblock. */
  readonly publishWaitMs: number;
  /** Publishes waiting at most; beyond, BACKPRESSURE at once. */
  readonly maxWaiting: number;
  readonly closeTimeoutMs: number;
  readonly metrics: MessagingMetrics | undefined;
}

/** A channel that nacks is replaced by a fresh one, at most this often. */
const NACK_RECYCLE_MS = 1000;

/** One message on its way: waiting for a slot, or written and waiting for its confirm. */
interface Outgoing {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly props: Options.Publish;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly stats: PublishStats;
  /** When it entered its current phase (waiting, or in flight), performance.now(). */
  since: number;
  /**
   * When the publish fails at the latest, whatever happens (performance.now()): publishWaitMs + confirmTimeoutMs
   * after the call. A message written again after each of several failovers keeps the deadline of its call.
   */
  readonly deadline: number;
  settled: boolean;
}

/**
 * A confirm channel with a window of outstanding confirms. The hot path allocates one object and one promise
 * per message; confirm timeouts and wait deadlines are enforced by one sweep timer, not a timer per message.
 *
 * Across a connection loss (a cluster node lost: the next connection is to another node), messages written but
 * not confirmed are written again on the next connection (same messageId: receivers dedup). After a
 * channel-level error they are rejected with CHANNEL_CLOSED, because one of them may have caused it. A confirm
 * that never comes (a quorum queue without a majority answers neither ack nor nack) fails the publish with
 * CONFIRM_TIMEOUT; however many failovers happen, every publish settles within publishWaitMs +
 * confirmTimeoutMs of its call.
 */
export class AmqpPublisher implements DeclaringPublisher {
  private readonly managed: ManagedChannel<ConfirmChannel>;
  private session: Session<ConfirmChannel> | undefined;
  private readonly window = new ConfirmWindow<Outgoing>();
  private waiting: Outgoing[] = [];
  private writable = true;
  private readonly returned = new Set<unknown>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  private closing: Promise<void> | undefined;
  private idleWaiter: (() => void) | undefined;
  private attachedAt = 0;

  constructor(
    private readonly host: PublisherHost,
    private readonly settings: PublisherSettings,
  ) {
    this.managed = new ManagedChannel<ConfirmChannel>(host, settings.name, true, {
      setup: () => Promise.resolve(),
      attached: (s) => {
        this.attached(s);
      },
      detached: (s, err) => {
        this.detached(s, err);
      },
    });
    this.managed.start();
    const sweepMs = Math.min(
      1000,
      Math.max(20, Math.min(settings.confirmTimeoutMs, settings.publishWaitMs) / 5),
    );
    this.sweepTimer = setInterval(() => {
      this.sweep();
    }, sweepMs);
    this.sweepTimer.unref();
  }

  publish<S extends TSchema>(
    type: MessageType<S>,
    message: Static<S>,
    options?: PublishOptions,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    let e: PublishEnvelope;
    try {
      e = envelopeOf(type, message, options, this.settings.appId);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const { exchange, routingKey, body, props } = e;
    const stats = this.settings.metrics
      ? this.settings.metrics.forDestination(e.destination)
      : noPublishStats;
    const declaring = this.host.ensureDeclared(type, this.settings.publishWaitMs);
    if (declaring === undefined) return this.publishRaw(exchange, routingKey, body, props, stats);
    return declaring.then(
      () => this.publishRaw(exchange, routingKey, body, props, stats),
      (err: unknown) => {
        if (err instanceof MessagingError) stats.failed(err.code);
        throw err;
      },
    );
  }

  declare(type: MessageType): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    this.host.pin(type);
    return this.host.ensureDeclared(type, this.settings.publishWaitMs) ?? Promise.resolve();
  }

  /** @internal Publishes bytes as they are (used to move deliveries to delay and dead-letter queues). */
  publishRaw(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: Options.Publish,
    stats: PublishStats = noPublishStats,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    stats.published();
    const now = performance.now();
    return new Promise<void>((resolve, reject) => {
      const o: Outgoing = {
        exchange,
        routingKey,
        body,
        props,
        resolve,
        reject,
        stats,
        since: 0,
        deadline: now + this.settings.publishWaitMs + this.settings.confirmTimeoutMs,
        settled: false,
      };
      const s = this.session;
      if (
        s !== undefined &&
        this.writable &&
        this.window.size < this.settings.confirmWindow &&
        this.waiting.length === 0 &&
        !this.host.blocked
      ) {
        this.write(s, o);
      } else if (this.waiting.length >= this.settings.maxWaiting) {
        this.fail(o, new MessagingError('BACKPRESSURE', `${this.waiting.length} publishes already waiting`));
      } else {
        o.since = performance.now();
        this.waiting.push(o);
      }
    });
  }

  /** Writes waiting messages while the window, the socket and the broker allow. */
  flush(): void {
    const s = this.session;
    if (s === undefined || this.host.blocked) return;
    const window = this.settings.confirmWindow;
    while (this.writable && this.window.size < window && this.waiting.length > 0 && s.open) {
      this.write(s, this.waiting.shift() as Outgoing);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.window.size > 0 || this.waiting.length > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.closeTimeoutMs);
        this.idleWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.idleWaiter = undefined;
    clearInterval(this.sweepTimer);
    const left = new MessagingError('CLOSED', 'publisher closed before the broker confirmed');
    for (const o of this.window.reset()) this.fail(o, left);
    for (const o of this.waiting.splice(0)) this.fail(o, left);
    await this.managed.stop();
  }

  private write(s: Session<ConfirmChannel>, o: Outgoing): void {
    // Its confirm timeout counts from now, but never runs past the deadline of its call.
    o.since = Math.min(performance.now(), o.deadline - this.settings.confirmTimeoutMs);
    this.window.add(o);
    try {
      if (!s.ch.publish(o.exchange, o.routingKey, o.body, o.props)) this.writable = false;
    } catch (err) {
      // Nothing was written: amqplib encodes before it writes, and did not count a delivery tag.
      this.window.undoAdd();
      if (err instanceof RangeError || err instanceof TypeError) {
        this.fail(
          o,
          new MessagingError('INVALID_MESSAGE', `cannot encode message: ${err.message}`, { cause: err }),
        );
      } else {
        // The channel is closing or closed under us (possibly before its `close` event could be heard):
        // the message waits for the next channel, and this one is ended so that flush() stops here.
        o.since = performance.now();
        this.waiting.unshift(o);
        s.end();
      }
    }
  }

  private readonly onAck = (fields: { deliveryTag: number; multiple: boolean }): void => {
    this.confirmed(fields.deliveryTag, fields.multiple, false);
  };

  private readonly onNack = (fields: { deliveryTag: number; multiple: boolean }): void => {
    this.confirmed(fields.deliveryTag, fields.multiple, true);
    // On RabbitMQ 3.10 a channel whose first publish to a quorum queue came while the queue had no leader
    // (just after a node loss) nacks everything it publishes there from then on, while a fresh channel is
    // fine. So a nack retires the channel (not more than once a second): what was in flight is written
    // again on the next one; the nacked message itself fails with NACKED for its caller to retry.
    const s = this.session;
    if (s !== undefined && performance.now() - this.attachedAt >= NACK_RECYCLE_MS) s.end();
  };

  private readonly onReturn = (msg: Message): void => {
    // basic.return precedes the confirm of the same message on the channel.
    this.returned.add(msg.properties.messageId);
  };

  private readonly onDrain = (): void => {
    this.writable = true;
    this.flush();
  };

  private confirmed(tag: number, multiple: boolean, nacked: boolean): void {
    this.window.confirm(tag, multiple, nacked ? this.settleNacked : this.settleAcked);
    // A return precedes the confirm of its own message: one not matched by this confirm is stale.
    this.returned.clear();
    if (this.waiting.length > 0) this.flush();
    if (this.idleWaiter !== undefined && this.window.size === 0 && this.waiting.length === 0)
      this.idleWaiter();
  }

  private readonly settleNacked = (o: Outgoing): void => {
    this.reject(o, new MessagingError('NACKED', `the broker refused the message (${describe(o)})`));
  };

  private readonly settleAcked = (o: Outgoing): void => {
    if (this.returned.size > 0 && this.returned.delete(o.props.messageId)) {
      // A queue destination that routes nowhere was deleted under us: declare it again next time.
      if (o.exchange === '') this.host.invalidateDeclarations();
      this.reject(o, new MessagingError('UNROUTABLE', `no queue received the message (${describe(o)})`));
    } else {
      o.stats.confirmed((performance.now() - o.since) / 1000);
      o.resolve();
    }
  };

  private attached(s: Session<ConfirmChannel>): void {
    this.session = s;
    this.attachedAt = performance.now();
    this.window.reset();
    this.writable = true;
    this.returned.clear();
    s.ch.on('ack', this.onAck);
    s.ch.on('nack', this.onNack);
    s.ch.on('return', this.onReturn);
    s.ch.on('drain', this.onDrain);
    this.flush();
  }

  private detached(s: Session<ConfirmChannel>, error: Error | undefined): void {
    if (this.session === s) this.session = undefined;
    const pending = this.window.reset();
    this.returned.clear();
    if (error !== undefined) {
      this.host.invalidateDeclarations();
      const why = this.host.redact(error.message);
      for (const o of pending) {
        this.fail(
          o,
          new ChannelError('CHANNEL_CLOSED', `channel closed before the confirm: ${why}`, { cause: error }),
        );
      }
    } else if (pending.length > 0) {
      // Written again on the next connection, waiting for it no longer than the deadline of its call allows.
      const now = performance.now();
      for (const o of pending) o.since = Math.min(now, o.deadline - this.settings.publishWaitMs);
      this.waiting = pending.concat(this.waiting);
    }
    if (this.idleWaiter !== undefined && this.waiting.length === 0) this.idleWaiter();
  }

  /** Confirm timeouts and wait deadlines, for all messages, in one pass. */
  private sweep(): void {
    const now = performance.now();
    const timeoutMs = this.settings.confirmTimeoutMs;
    this.window.expire(now - timeoutMs, (o) => {
      this.reject(
        o,
        new MessagingError(
          'CONFIRM_TIMEOUT',
          `no broker confirm within ${timeoutMs} ms (${describe(o)}); it may have arrived`,
        ),
      );
    });
    const waitDeadline = now - this.settings.publishWaitMs;
    // Not only the head: messages put back after a failover go first, with their own (clamped) times.
    if (this.waiting.some((o) => o.since <= waitDeadline)) {
      const keep: Outgoing[] = [];
      for (const o of this.waiting) {
        if (o.since > waitDeadline) keep.push(o);
        else this.fail(o, this.waitError());
      }
      this.waiting = keep;
    }
    if (this.waiting.length > 0) this.flush();
    if (this.idleWaiter !== undefined && this.window.size === 0 && this.waiting.length === 0)
      this.idleWaiter();
  }

  private waitError(): MessagingError {
    const ms = this.settings.publishWaitMs;
    if (this.host.currentConnection() === undefined) {
      return new ConnectionError('NOT_CONNECTED', `broker unavailable for more than ${ms} ms`);
    }
    if (this.host.blocked)
      return new MessagingError('BACKPRESSURE', `broker blocked publishing for more than ${ms} ms`);
    if (this.session === undefined)
      return new ChannelError('NOT_CONNECTED', `no channel for more than ${ms} ms`);
    return new MessagingError('BACKPRESSURE', `no room to publish for more than ${ms} ms`);
  }

  private fail(o: Outgoing, err: MessagingError): void {
    o.settled = true;
    this.reject(o, err);
  }

  private reject(o: Outgoing, err: MessagingError): void {
    o.stats.failed(err.code);
    o.reject(err);
  }
}

function describe(o: Outgoing): string {
  const id = typeof o.props.messageId === 'string' ? o.props.messageId : 'no id';
  return o.exchange === '' ? `queue ${o.routingKey}, ${id}` : `exchange ${o.exchange} ${o.routingKey}, ${id}`;
}
