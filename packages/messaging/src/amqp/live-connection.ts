import type { ChannelModel } from 'amqplib';
import { AwaitingConnection } from '../core/awaiting-connection.js';
import { MessagingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { redact } from '../mask.js';
import { coalesceWrites } from './coalesce.js';
import type { BrokerEndpoint, FailoverConnection } from './failover.js';
import type { AmqpSettings } from './transport.js';

/**
 * The connection as the owners of channels (publishers, consumers, declarations) see it: the live one if any,
 * a way to wait for the next, and whether the broker holds publishing back. It never calls its users back:
 * each channel owner notices a lost connection by its channel closing.
 */
export interface LiveConnection {
  readonly logger: Logger;
  /** True while the broker has told us to stop publishing (connection.blocked). */
  readonly blocked: boolean;
  /** The live connection, if any. */
  currentConnection(): ChannelModel | undefined;
  /** Resolves with the live connection, waiting for a reconnect if needed; rejects CLOSED once closed. */
  waitForConnection(): Promise<ChannelModel>;
  /** Redacts secrets (the URL's password) from text that came from the broker or the socket. */
  redact(text: string): string;
}

/** What the transport hears of the connection, once each change has been applied here. */
export interface ConnectionEvents {
  connected(model: ChannelModel): void;
  disconnected(): void;
  unblocked(): void;
}

/**
 * Follows a FailoverConnection: which connection is live, the waiters for the next one (each bounded, or until
 * close), the broker's blocked flag, the connection log lines and the broker-node gauge.
 */
export class TrackedConnection implements LiveConnection {
  private model: ChannelModel | undefined;
  private isBlocked = false;
  private readonly waiters = new AwaitingConnection<ChannelModel>();
  private connectedOnce = false;
  /** Closing: a lost connection is expected, not reported. */
  private quiet = false;
  private closed = false;
  readonly logger: Logger;

  constructor(
    private readonly failover: FailoverConnection,
    private readonly settings: AmqpSettings,
    events: ConnectionEvents,
  ) {
    const log = (this.logger = settings.logger);
    const name = settings.connectionName;
    failover.on('connect', (model: ChannelModel, endpoint: BrokerEndpoint) => {
      this.model = model;
      this.isBlocked = false;
      if (settings.coalesceWrites && !coalesceWrites(model)) {
        log.warn({ connection: name }, 'amqplib internals changed: socket writes not coalesced');
      }
      log.info(
        { connection: name, node: endpoint.node, url: settings.maskedUrl },
        this.connectedOnce ? 'broker reconnected' : 'broker connected',
      );
      this.connectedOnce = true;
      settings.metrics?.setBrokerNode(name, endpoint.node);
      events.connected(model);
      this.waiters.connected(model);
    });
    failover.on('disconnect', (err: Error, endpoint: BrokerEndpoint) => {
      this.model = undefined;
      this.isBlocked = false;
      settings.metrics?.setBrokerNode(name, undefined);
      if (this.quiet) return;
      log.warn(
        { connection: name, node: endpoint.node, err: this.redact(err.message) },
        'broker connection lost',
      );
      events.disconnected();
    });
    failover.on('connect-failed', (err: Error, endpoint: BrokerEndpoint) => {
      if (this.connectedOnce)
        log.warn(
          { connection: name, node: endpoint.node, err: this.redact(err.message) },
          'broker reconnect failed',
        );
    });
    failover.on('reconnect-scheduled', (info: { attempt: number; delay: number }) => {
      if (this.connectedOnce)
        log.info({ connection: name, attempt: info.attempt, delayMs: info.delay }, 'reconnecting');
    });
    failover.on('blocked', (reason: string) => {
      this.isBlocked = true;
      log.warn({ connection: name, reason }, 'broker blocked publishing');
    });
    failover.on('unblocked', () => {
      this.isBlocked = false;
      log.info({ connection: name }, 'broker unblocked publishing');
      events.unblocked();
    });
    failover.on('error', (err: Error) => {
      log.warn({ connection: name, err: this.redact(err.message) }, 'broker connection error');
    });
  }

  /** host:port of the node connected to; undefined while there is none. */
  get node(): string | undefined {
    return this.failover.node;
  }

  get blocked(): boolean {
    return this.isBlocked;
  }

  currentConnection(): ChannelModel | undefined {
    return this.model;
  }

  waitForConnection(): Promise<ChannelModel> {
    if (this.model !== undefined) return Promise.resolve(this.model);
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    return this.waiters.next();
  }

  /** The live connection, waiting for one until `deadline` (performance.now()); NOT_CONNECTED after it. */
  connectionBefore(deadline: number): Promise<ChannelModel> {
    if (this.model !== undefined) return Promise.resolve(this.model);
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'transport is closed'));
    return this.waiters.next(Math.max(0, deadline - performance.now()), this.settings.publishWaitMs);
  }

  redact(text: string): string {
    return redact(text, this.settings.secrets);
  }

  /** The transport is closing: from now on a lost connection is neither logged nor reported. */
  closing(): void {
    this.quiet = true;
  }

  /** Closes the connection (no more reconnects) and rejects every waiter with CLOSED. */
  async close(): Promise<void> {
    this.quiet = true;
    this.closed = true;
    await this.failover.close().catch(() => undefined);
    this.model = undefined;
    this.waiters.fail(new MessagingError('CLOSED', 'transport is closed'));
  }
}
