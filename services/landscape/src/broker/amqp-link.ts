import { connect } from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { maskUrl } from '@goblog/messaging';
import type { Logger } from '@goblog/messaging';

/** The longest a connection attempt to one broker URL may take. */
const CONNECT_TIMEOUT_MS = 3000;
const RETRY_MIN_MS = 500;
const CHANNEL_CLOSE_WAIT_MS = 2000;
const RETRY_MAX_MS = 5000;

export interface LinkState {
  readonly connected: boolean;
  /** The URL of the broker node this link is on, password masked; undefined while disconnected. */
  readonly node: string | undefined;
  /** The broker's product and version as it announced them on connect. */
  readonly server: string | undefined;
  readonly error: string | undefined;
}

/**
 * The landscape's own AMQP connection, for what a service's transport does not do (passive declares,
 * browsing and replaying a dead-letter queue). It tries each comma-separated URL in turn and comes back by
 * itself after a loss. A channel is handed out per operation, so a broker error on one (a queue that does
 * not exist closes its channel) never disturbs another operation.
 */
export class AmqpLink {
  readonly #urls: readonly string[];
  readonly #logger: Logger;
  #connection: ChannelModel | undefined;
  #connecting: Promise<ChannelModel> | undefined;
  #state: LinkState = { connected: false, node: undefined, server: undefined, error: undefined };
  #closed = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(url: string, logger: Logger) {
    this.#urls = url
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    this.#logger = logger;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Connects now (resolves either way: a failed first attempt retries in the background). */
  async start(): Promise<void> {
    await this.#connect().catch(() => undefined);
  }

  /** Runs `operation` on a channel of its own, closed afterwards; rejects while the broker is away. */
  async withChannel<T>(operation: (channel: Channel) => Promise<T>): Promise<T> {
    const connection = await this.#connect();
    const channel = await connection.createChannel();
    return this.#run(channel, operation);
  }

  /** Like withChannel, on a channel in confirm mode: each publish is confirmed by the broker. */
  async withConfirmChannel<T>(operation: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const connection = await this.#connect();
    const channel = await connection.createConfirmChannel();
    return this.#run(channel, operation);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.close().catch(() => undefined);
  }

  async #run<C extends Channel, T>(channel: C, operation: (channel: C) => Promise<T>): Promise<T> {
    // A channel closed by the broker emits 'error'; the operation sees it as its own rejection.
    channel.on('error', () => undefined);
    try {
      return await operation(channel);
    } finally {
      await this.#closeChannel(channel);
    }
  }

  /**
   * Closes a channel, bounded: a close sent just before the connection dies may never be answered (what the
   * channel held unacknowledged goes back to its queue with the connection anyway).
   */
  async #closeChannel(channel: Channel): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      channel.close().catch(() => undefined),
      new Promise<void>((resolve) => {
        channel.once('close', resolve);
        timer = setTimeout(resolve, CHANNEL_CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  #connect(): Promise<ChannelModel> {
    if (this.#connection) return Promise.resolve(this.#connection);
    if (this.#closed) return Promise.reject(new Error('the landscape is closing'));
    this.#connecting ??= this.#dial().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #dial(): Promise<ChannelModel> {
    let lastError = 'no broker URL';
    for (const url of this.#urls) {
      try {
        const connection = await connect(url, {
          timeout: CONNECT_TIMEOUT_MS,
          clientProperties: { connection_name: 'landscape' },
        });
        this.#adopt(connection, url);
        return connection;
      } catch (err) {
        lastError = (err instanceof Error ? err.message : String(err)).replaceAll(url, maskUrl(url));
      }
    }
    this.#state = { connected: false, node: undefined, server: undefined, error: lastError };
    this.#scheduleRetry();
    throw new Error(`broker unreachable: ${lastError}`);
  }

  #adopt(connection: ChannelModel, url: string): void {
    this.#connection = connection;
    this.#retryMs = RETRY_MIN_MS;
    const props = connection.connection.serverProperties;
    const server = [props.product, props.version].filter((p) => typeof p === 'string').join(' ');
    this.#state = { connected: true, node: maskUrl(url), server: server || undefined, error: undefined };
    this.#logger.info({ node: maskUrl(url) }, 'landscape connected to the broker');
    connection.on('error', () => undefined);
    connection.on('close', () => {
      if (this.#connection !== connection) return;
      this.#connection = undefined;
      this.#state = { connected: false, node: undefined, server: undefined, error: 'connection closed' };
      if (!this.#closed) {
        this.#logger.warn({}, 'landscape lost the broker connection; reconnecting');
        this.#scheduleRetry();
      }
    });
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect().catch(() => undefined);
    }, wait);
    this.#retryTimer.unref();
  }
}
