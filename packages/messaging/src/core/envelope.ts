import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from 'typebox';
import { HeaderNames } from '../headers.js';
import type { MessageType } from '../message-type.js';
import type { PublishOptions } from '../transport.js';
import type { PublishProperties } from './properties.js';

/** A typed message made ready for a wire: where it goes, its bytes and its properties. */
export interface PublishEnvelope {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly props: PublishProperties;
  /** The name metrics know the destination by (the queue, or the exchange). */
  readonly destination: string;
}

/**
 * Validates and encodes `message` (throws MessagingError INVALID_MESSAGE) and builds what every wire
 * publishes: persistent JSON with a message id (new unless given), a timestamp, the type's name as `type`,
 * the app id, the headers and trace context, and `mandatory` by default for a queue destination.
 */
export function envelopeOf<S extends TSchema>(
  type: MessageType<S>,
  message: Static<S>,
  options: PublishOptions | undefined,
  appId: string | undefined,
): PublishEnvelope {
  const body = type.encode(message);
  const d = type.destination;
  const isQueue = d.kind === 'queue';
  return {
    exchange: isQueue ? '' : d.exchange,
    routingKey: isQueue ? d.queue : (options?.routingKey ?? d.routingKey),
    destination: isQueue ? d.queue : d.exchange,
    body,
    props: {
      persistent: true,
      contentType: 'application/json',
      messageId: options?.messageId ?? randomUUID(),
      timestamp: Math.floor((options?.timestamp ?? Date.now()) / 1000),
      type: type.name,
      appId: options?.appId ?? appId,
      headers: options?.headers || options?.traceparent ? headersOf(options) : undefined,
      mandatory: options?.mandatory ?? isQueue,
    },
  };
}

function headersOf(options: PublishOptions): Record<string, unknown> {
  const h: Record<string, unknown> = { ...options.headers };
  if (options.traceparent !== undefined) h[HeaderNames.traceparent] = options.traceparent;
  return h;
}
