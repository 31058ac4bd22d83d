// Over 250 lines on purpose: the confirm channel's window, its waiting line and the channel's lives share one
// invariant (every message settles exactly once, within publishWaitMs + confirmTimeoutMs of its call), kept
// readable in one place. What stands alone is apart: confirm-window.ts, outgoing.ts, managed-channel.ts.
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { ChannelError, ConnectionError, MessagingError } from '../errors.js';
import type { PublishEnvelope } from '../core/envelope.js';
import type { PublishWire } from '../core/publisher.js';
import type { MessageType } from '../message-type.js';
import { noPublishStats, type PublishStats } from '../metrics.js';
import { ConfirmWindow } from './confirm-window.js';
import type { DestinationDeclarations } from './declarations.js';
import type { LiveConnection } from './live-connection.js';
import { ManagedChannel, type Session } from './managed-channel.js';
import { describe, failOutgoing, rejectOutgoing, WaitingLine, type Outgoing } from './outgoing.js';

export interface PublisherSettings {
  readonly name: string;
  /** Messages written and not yet confirmed, at most. */
  readonly confirmWindow: number;
  readonly confirmTimeoutMs: number;
  /** How long a publish may wait for a connection, a free window slot, drain or unblock. */
  readonly publishWaitMs: number;
  /** Publishes waiting at most; beyond, BACKPRESSURE at once. */
  readonly maxWaiting: number;
  readonly closeTimeoutMs: number;
}

/** A channel that nacks is replaced by a fresh one, at most this often. */
const NACK_RECYCLE_MS = 1000;

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
export class ConfirmPublisher implements PublishWire {
  private readonly managed: ManagedChannel<ConfirmChannel>;
  private session: Session<ConfirmChannel> | undefined;
  private readonly window = new ConfirmWindow<Outgoing>();
  private readonly waiting: WaitingLine;
  private writable = true;
  private readonly returned = new Set<unknown>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;
  private closing: Promise<void> | undefined;
  private idleWaiter: (() => void) | undefined;
  private attachedAt = 0;

  constructor(
    private readonly connection: LiveConnection,
    private readonly declarations: DestinationDeclarations,
    private readonly settings: PublisherSettings,
  ) {
    this.waiting = new WaitingLine(settings.maxWaiting, settings.publishWaitMs);
    this.managed = new ManagedChannel<ConfirmChannel>(connection, settings.name, true, {
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

  ensureDeclared(type: MessageType): Promise<void> | undefined {
    if (this.closed) return undefined; // send rejects it with CLOSED
    return this.declarations.ensure(type, this.settings.publishWaitMs);
  }

  declare(type: MessageType): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    this.declarations.pin(type);
    return this.ensureDeclared(type) ?? Promise.resolve();
  }

  send(e: PublishEnvelope, stats: PublishStats): Promise<void> {
    return this.publishRaw(e.exchange, e.routingKey, e.body, e.props, stats);
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
        !this.connection.blocked
      ) {
        this.write(s, o);
      } else {
        this.waiting.push(o);
      }
    });
  }

  /** Writes waiting messages while the window, the socket and the broker allow. */
  flush(): void {
    const s = this.session;
    if (s === undefined || this.connection.blocked) return;
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
    for (const o of this.window.reset()) failOutgoing(o, left);
    this.waiting.failAll(left);
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
        failOutgoing(
          o,
          new MessagingError('INVALID_MESSAGE', `cannot encode message: ${err.message}`, { cause: err }),
        );
      } else {
        // The channel is closing or closed under us (possibly before its `close` event could be heard):
        // the message waits for the next channel, and this one is ended so that flush() stops here.
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
    rejectOutgoing(o, new MessagingError('NACKED', `the broker refused the message (${describe(o)})`));
  };

  private readonly settleAcked = (o: Outgoing): void => {
    if (this.returned.size > 0 && this.returned.delete(o.props.messageId)) {
      // A queue destination that routes nowhere was deleted under us: declare it again next time.
      if (o.exchange === '') this.declarations.invalidate();
      rejectOutgoing(o, new MessagingError('UNROUTABLE', `no queue received the message (${describe(o)})`));
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
      this.declarations.invalidate();
      const why = this.connection.redact(error.message);
      for (const o of pending) {
        failOutgoing(
          o,
          new ChannelError('CHANNEL_CLOSED', `channel closed before the confirm: ${why}`, { cause: error }),
        );
      }
    } else if (pending.length > 0) {
      this.waiting.putBack(pending);
    }
    if (this.idleWaiter !== undefined && this.waiting.length === 0) this.idleWaiter();
  }

  /** Confirm timeouts and wait deadlines, for all messages, in one pass. */
  private sweep(): void {
    const now = performance.now();
    const timeoutMs = this.settings.confirmTimeoutMs;
    this.window.expire(now - timeoutMs, (o) => {
      rejectOutgoing(
        o,
        new MessagingError(
          'CONFIRM_TIMEOUT',
          `no broker confirm within ${timeoutMs} ms (${describe(o)}); it may have arrived`,
        ),
      );
    });
    this.waiting.expire(now - this.settings.publishWaitMs, () => this.waitError());
    if (this.waiting.length > 0) this.flush();
    if (this.idleWaiter !== undefined && this.window.size === 0 && this.waiting.length === 0)
      this.idleWaiter();
  }

  private waitError(): MessagingError {
    const ms = this.settings.publishWaitMs;
    if (this.connection.currentConnection() === undefined) {
      return new ConnectionError('NOT_CONNECTED', `broker unavailable for more than ${ms} ms`);
    }
    if (this.connection.blocked)
      return new MessagingError('BACKPRESSURE', `broker blocked publishing for more than ${ms} ms`);
    if (this.session === undefined)
      return new ChannelError('NOT_CONNECTED', `no channel for more than ${ms} ms`);
    return new MessagingError('BACKPRESSURE', `no room to publish for more than ${ms} ms`);
  }
}
