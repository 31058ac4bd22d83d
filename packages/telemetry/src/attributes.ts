/**
 * The semantic-convention attribute names this landscape's spans carry. Written out rather than imported
 * from @opentelemetry/semantic-conventions: that package is large to load for a process that does not
 * trace, and its messaging names are still "incubating" (its guide says to copy those). A unit test holds
 * every name here to the package's.
 */
export const Http = {
  requestMethod: 'http.request.method',
  route: 'http.route',
  responseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverPort: 'server.port',
  clientAddress: 'client.address',
  userAgent: 'user_agent.original',
  errorType: 'error.type',
} as const;

export const Messaging = {
  /**
   * The conventions now name the system `messaging.system.name`; the older `messaging.system` is what
   * today's backends key on (service graphs link producer and consumer spans by it). Both are set.
   */
  system: 'messaging.system',
  systemName: 'messaging.system.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  routingKey: 'rabbitmq.destination.routing_key',
  subscriptionName: 'messaging.destination.subscription.name',
} as const;

/** Ours, where no convention exists: how long a message had waited when it was sent or processed. */
export const Goblog = {
  /** On a publish span: ms since the message was created (for an outbox notification, its outbox wait). */
  messageAgeMs: 'goblog.message.age_ms',
  retryCount: 'goblog.message.retry_count',
  redelivered: 'goblog.message.redelivered',
} as const;

export const RABBITMQ = 'rabbitmq';
