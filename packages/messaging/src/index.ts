// The public face of @goblog/messaging. Internals stay internal.
export { MessagingError, ChannelError, ConnectionError, isMessagingError } from './errors.js';
export type { MessagingErrorCode } from './errors.js';
export { defineMessage, DEFAULT_MAX_MESSAGE_BYTES } from './message-type.js';
export type { MessageType, MessageOf, Destination } from './message-type.js';
export type {
  Transport,
  Publisher,
  DeclaringPublisher,
  Subscription,
  Handler,
  MessageMeta,
  PublishOptions,
  ConsumerOptions,
  ConnectionState,
} from './transport.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { maskUrl, redact } from './mask.js';

export { connectAmqp } from './amqp/connect.js';
export type { AmqpTransportOptions } from './amqp/connect.js';
export type { AmqpTransport } from './amqp/transport.js';
export { createMemoryTransport, MemoryTransport } from './memory/transport.js';
export type { MemoryProperties } from './memory/transport.js';
export type { MemoryTransportOptions } from './memory/options.js';
export { MemoryBroker } from './memory/broker.js';
export type { RecordedMessage } from './memory/broker.js';
export { MessagingMetrics } from './metrics.js';
export { CounterTally, Tallies } from './tally.js';
export { TalliedHistogram } from './tallied-histogram.js';
export type { HistogramChild } from './tallied-histogram.js';
export { HeaderNames, notCopiedHeaders } from './headers.js';
export type { DeathReason } from './headers.js';
export { retryQueueName, deadLetterQueueName } from './topology.js';
export type { QueueType } from './topology.js';
export { tracedPublisher, tracedTransport } from './core/tracing.js';
