/**
 * Stable error codes. Callers branch on `err.code`, never on message text.
 * Messages never contain a broker password: URLs are masked before they reach an error.
 */
export type MessagingErrorCode =
  | 'INVALID_URL' // the connection string cannot be parsed
  | 'CONNECT_FAILED' // the initial connection could not be established
  | 'NOT_CONNECTED' // the broker stayed away longer than the publish wait allows
  | 'BACKPRESSURE' // too many publishes are already waiting; caller should slow down
  | 'CONFIRM_TIMEOUT' // the broker never confirmed the message in time
  | 'NACKED' // the broker refused the message (negative confirm)
  | 'UNROUTABLE' // a mandatory message matched no queue
  | 'CHANNEL_CLOSED' // the channel died with the message unconfirmed: it may or may not have arrived
  | 'INVALID_MESSAGE' // the body failed its message type's schema, or could not be decoded
  | 'DECLARE_FAILED' // the broker refused to declare a queue/exchange/binding (e.g. different arguments)
  | 'INVALID_OPTIONS' // an option passed to this package is out of range or missing, or the wrong call for a type
  | 'CLOSED'; // the client was closed

export class MessagingError extends Error {
  override readonly name: string = 'MessagingError';
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A channel-level failure: the connection may still be fine. */
export class ChannelError extends MessagingError {
  override readonly name: string = 'ChannelError';
}

/** A connection-level failure: every channel on it is gone. */
export class ConnectionError extends ChannelError {
  override readonly name: string = 'ConnectionError';
}

export function isMessagingError(err: unknown, code?: MessagingErrorCode): err is MessagingError {
  return err instanceof MessagingError && (code === undefined || err.code === code);
}
