// The public face of @goblog/messaging. Internals stay internal.
export { MessagingError, ChannelError, ConnectionError, isMessagingError } from './errors.js';
export type { MessagingErrorCode } from './errors.js';
export { defineMessage } from './message-type.js';
export type { MessageType, MessageOf, Destination } from './message-type.js';
export type {
  Transport,
  Publisher,
  Subscription,
  Handler,
  Middleware,
  MessageMeta,
  PublishOptions,
  ConsumerOptions,
  ConnectionState,
} from './transport.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { maskUrl, redact } from './mask.js';
