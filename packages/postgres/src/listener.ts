import pg from 'pg';
import type { Logger } from '@goblog/messaging';
import type { DatabaseUrl } from './url.js';

export interface ListenerOptions {
  readonly url: DatabaseUrl;
  readonly channel: string;
  readonly onNotify: (payload: string) => void;
  readonly onConnected: () => void;
  /** After a connection that was listening is lost (notifications may be missed until `onConnected`). */
  readonly onDisconnected?: () => void;
  readonly onError: (err: unknown) => void;
  readonly logger: Logger;
  /** Longest wait between reconnection attempts. Default 5 s. */
  readonly maxBackoffMs?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTEN on one channel over a connection of its own (a pooled one would be handed to others). When the
 * connection is lost it reconnects with a capped, jittered backoff and LISTENs again; notifications sent while
 * it was away are not replayed, which is why `onConnected` runs after each connection.
 */
export class Listener {
  readonly #options: ListenerOptions;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;

  constructor(options: ListenerOptions) {
    if (!CHANNEL.test(options.channel)) throw new TypeError(`invalid LISTEN channel ${options.channel}`);
    this.#options = options;
  }

  start(): void {
    void this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#options.url.url,
      connectionTimeoutMillis: 2000,
      keepAlive: true,
    });
    const state = { lost: false };
    const onLost = (err?: unknown): void => {
      if (state.lost) return;
      state.lost = true;
      if (err !== undefined) this.#options.onError(err);
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.#client === client) {
        this.#client = undefined;
        this.#options.onDisconnected?.();
      }
      this.#retry();
    };
    client.on('error', onLost);
    client.on('end', () => {
      onLost();
    });
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel) this.#options.onNotify(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#options.channel}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (this.#isClosed() || state.lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    if (this.#attempt > 0) {
      this.#options.logger.info({ channel: this.#options.channel }, 'database listener connected again');
    }
    this.#attempt = 0;
    this.#options.onConnected();
  }

  #retry(): void {
    if (this.#closed) return;
    this.#attempt++;
    const ceiling = Math.min(this.#options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(this.#attempt, 10));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }
}
