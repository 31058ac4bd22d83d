import type { ChannelModel } from 'amqplib';
import type { Logger } from '../logger.js';

/** What a channel owner (publisher, consumer) needs from the transport that owns the connection. */
export interface ChannelHost {
  readonly logger: Logger;
  /** True while the broker has told us to stop publishing (connection.blocked). */
  readonly blocked: boolean;
  /** The live connection, if any. */
  currentConnection(): ChannelModel | undefined;
  /** Resolves with the live connection, waiting for a reconnect if needed; rejects CLOSED once the transport closes. */
  waitForConnection(): Promise<ChannelModel>;
  /** Redacts secrets (the URL's password) from text that came from the broker or the socket. */
  redact(text: string): string;
}
