import { BusEventSchema, REFRESH_EVENT } from '@goblog/config';
import {
  INSTANCE_ANNOUNCEMENT,
  InstanceAnnouncementSchema,
  VIP_NOTIFICATION,
  VipNotificationSchema,
  announcementExchange,
} from '@goblog/contracts';
import { HeaderNames, deadLetterQueueName } from '@goblog/messaging';
import type { TSchema } from 'typebox';
import { REPLAY_COUNT_HEADER } from '../dead-letters/message-view.js';

export interface AsyncApiOptions {
  /** The broker as host:port (no credentials) and its virtual host. */
  readonly broker: { readonly host: string; readonly vhost: string };
  readonly workQueue: string;
  readonly bus: string;
  readonly version: string;
}

const AMQP_BINDING = '0.3.0';

/**
 * The landscape's channels and messages as an AsyncAPI 3.0 document. Payloads are the very typebox schemas
 * the services validate with (@goblog/contracts, the bus event of @goblog/config), as plain JSON Schema.
 */
export function asyncApiDocument(options: AsyncApiOptions): Record<string, unknown> {
  const { workQueue, bus } = options;
  const dlq = deadLetterQueueName(workQueue);
  const announcements = announcementExchange(bus);
  const ref = (path: string): { $ref: string } => ({ $ref: `#/${path}` });
  const operation = (
    service: string,
    action: 'send' | 'receive',
    channel: string,
    message: string,
    summary: string,
  ): Record<string, unknown> => ({
    action,
    channel: ref(`channels/${channel}`),
    messages: [ref(`channels/${channel}/messages/${message}`)],
    summary,
    tags: [{ name: service }],
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'goblog landscape',
      version: options.version,
      description:
        'The messages of the landscape of "Go Microservices part 9 - Messaging with RabbitMQ and AMQP": ' +
        'VIP notifications on a work queue, Spring Cloud Bus refresh events, and the announcements the ' +
        'landscape page finds instances by.',
    },
    defaultContentType: 'application/json',
    servers: {
      rabbitmq: {
        host: options.broker.host,
        pathname: options.broker.vhost,
        protocol: 'amqp',
        protocolVersion: '0.9.1',
        description: 'RabbitMQ (the virtual host is the pathname)',
      },
    },
    channels: {
      vipQueue: {
        address: workQueue,
        title: 'VIP notifications',
        description: 'A work queue on the default exchange: each notification is handled by one vipservice.',
        messages: { [VIP_NOTIFICATION]: ref(`components/messages/${VIP_NOTIFICATION}`) },
        bindings: { amqp: queueBinding(workQueue) },
      },
      deadLetters: {
        address: dlq,
        title: 'Parked VIP notifications',
        description:
          'Messages the vipservice could not handle (not JSON, not the schema, or failing every retry), ' +
          'with the reason in their headers; the landscape page replays them to the work queue.',
        messages: { ParkedVipNotification: ref('components/messages/ParkedVipNotification') },
        bindings: { amqp: queueBinding(dlq) },
      },
      configBus: {
        address: bus,
        title: 'Spring Cloud Bus',
        description:
          'A durable topic exchange, routing key = its name; every service binds a private queue with #.',
        messages: { [REFRESH_EVENT]: ref(`components/messages/${REFRESH_EVENT}`) },
        bindings: { amqp: exchangeBinding(bus, 'topic') },
      },
      instances: {
        address: announcements,
        title: 'Instance announcements',
        description:
          'A durable fanout exchange beside the bus: every instance says where it is, every few seconds.',
        messages: { [INSTANCE_ANNOUNCEMENT]: ref(`components/messages/${INSTANCE_ANNOUNCEMENT}`) },
        bindings: { amqp: exchangeBinding(announcements, 'fanout') },
      },
    },
    operations: {
      accountserviceSendsVipNotification: operation(
        'accountservice',
        'send',
        'vipQueue',
        VIP_NOTIFICATION,
        'A read of a VIP account: through the outbox, published with a confirm, message_id kept across retries',
      ),
      vipserviceReceivesVipNotification: operation(
        'vipservice',
        'receive',
        'vipQueue',
        VIP_NOTIFICATION,
        'Manual acks; counted once per message_id; also reads the Go original (readAt in time.String() form)',
      ),
      vipserviceParksVipNotification: operation(
        'vipservice',
        'send',
        'deadLetters',
        'ParkedVipNotification',
        'A notification that cannot be handled goes here instead of looping',
      ),
      landscapeReplaysVipNotification: operation(
        'landscape',
        'receive',
        'deadLetters',
        'ParkedVipNotification',
        'Listed without being consumed; a replay publishes it back to the work queue with a confirm',
      ),
      configserverSendsRefresh: operation(
        'configserver',
        'send',
        'configBus',
        REFRESH_EVENT,
        'On POST /actuator/busrefresh, POST /monitor, or a change in the configuration repository',
      ),
      servicesReceiveRefresh: operation(
        'every service',
        'receive',
        'configBus',
        REFRESH_EVENT,
        'Reloads configuration when destinationService matches it (Spring rules); other types are ignored',
      ),
      servicesAnnounce: operation(
        'every service',
        'send',
        'instances',
        INSTANCE_ANNOUNCEMENT,
        'Once it takes work, then every intervalMs, and once more (state leaving) when it stops',
      ),
      landscapeReceivesAnnouncements: operation(
        'landscape',
        'receive',
        'instances',
        INSTANCE_ANNOUNCEMENT,
        'Finds instances without configuration, then probes /health and /metrics of each',
      ),
    },
    components: {
      messages: {
        [VIP_NOTIFICATION]: message(VIP_NOTIFICATION, 'VIP notification', VipNotificationSchema, {
          summary: 'An account listed in vip_account_ids was read (one per 200 answer)',
        }),
        ParkedVipNotification: message(VIP_NOTIFICATION, 'Parked VIP notification', VipNotificationSchema, {
          summary:
            'A VIP notification as parked: the body as received (it may not match), the reason in headers',
          headers: parkedHeaders(),
        }),
        [REFRESH_EVENT]: message(REFRESH_EVENT, 'Refresh event', BusEventSchema, {
          summary:
            "Spring Cloud Bus's RefreshRemoteApplicationEvent; only type is required, so any event decodes",
        }),
        [INSTANCE_ANNOUNCEMENT]: message(
          INSTANCE_ANNOUNCEMENT,
          'Instance announcement',
          InstanceAnnouncementSchema,
          {
            summary: 'A running instance: its name, id, host, address and HTTP port',
          },
        ),
      },
    },
  };
}

function message(
  type: string,
  title: string,
  schema: TSchema,
  extra: { readonly summary: string; readonly headers?: Record<string, unknown> },
): Record<string, unknown> {
  return {
    name: type,
    title,
    summary: extra.summary,
    contentType: 'application/json',
    payload: plainSchema(schema),
    ...(extra.headers ? { headers: extra.headers } : {}),
    bindings: { amqp: { messageType: type, bindingVersion: AMQP_BINDING } },
  };
}

/** A typebox schema as plain JSON Schema (typebox's own symbol-keyed metadata left out). */
export function plainSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function parkedHeaders(): Record<string, unknown> {
  const text = (description: string): Record<string, unknown> => ({ type: 'string', description });
  return {
    type: 'object',
    properties: {
      [HeaderNames.deathReason]: { type: 'string', enum: ['invalid-message', 'handler-failed'] },
      [HeaderNames.error]: text('the last error, one line, bounded'),
      [HeaderNames.originalQueue]: text('the queue it was consumed from'),
      [HeaderNames.deadLetteredAt]: { type: 'string', format: 'date-time' },
      [HeaderNames.retryCount]: {
        type: 'integer',
        minimum: 0,
        description: 'delayed retries it went through',
      },
      [REPLAY_COUNT_HEADER]: { type: 'integer', minimum: 0, description: 'times the landscape replayed it' },
    },
  };
}

function queueBinding(name: string): Record<string, unknown> {
  return {
    is: 'queue',
    queue: { name, durable: true, exclusive: false, autoDelete: false },
    bindingVersion: AMQP_BINDING,
  };
}

function exchangeBinding(name: string, type: 'topic' | 'fanout'): Record<string, unknown> {
  return {
    is: 'routingKey',
    exchange: { name, type, durable: true, autoDelete: false },
    bindingVersion: AMQP_BINDING,
  };
}
