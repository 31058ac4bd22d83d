/**
 * Basic properties of a message as a wire publishes them. amqplib's `Options.Publish` is a superset, so an
 * AMQP wire passes them on as they are.
 */
export interface PublishProperties {
  persistent?: boolean;
  mandatory?: boolean;
  contentType?: string;
  contentEncoding?: string;
  messageId?: string;
  correlationId?: string;
  /** Seconds since epoch, as AMQP carries it. */
  timestamp?: number;
  type?: string;
  appId?: string;
  headers?: Record<string, unknown>;
  /** Per-message TTL in ms, as a string (AMQP's form). */
  expiration?: string;
}

/** Basic properties of a received message, as the wire decoded them: outside input, any value any type. */
export interface ReceivedProperties {
  readonly [name: string]: unknown;
  readonly headers?: unknown;
}
