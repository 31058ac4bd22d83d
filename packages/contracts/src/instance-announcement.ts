import { Type } from '@goblog/schema';
import type { Static } from '@goblog/schema';
import { defineMessage } from '@goblog/messaging';
import type { MessageType } from '@goblog/messaging';

/** The AMQP `type` property of an instance announcement. */
export const INSTANCE_ANNOUNCEMENT = 'InstanceAnnouncement';

/** How often a running instance announces itself; the landscape expects one at least this often. */
export const ANNOUNCE_INTERVAL_MS = 3000;

/**
 * What a running instance says about itself, every ANNOUNCE_INTERVAL_MS and once more when it stops
 * (`state: 'leaving'`), so that the landscape finds it without configuration and knows where to probe it.
 * A tolerant reader: fields a newer instance adds are accepted and ignored.
 */
export const InstanceAnnouncementSchema = Type.Object({
  service: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: 'the service name' }),
  instanceId: Type.String({ minLength: 1, maxLength: 200, description: '<service>:<port>, its bus id' }),
  host: Type.String({ minLength: 1, maxLength: 255, description: 'the host name it runs on' }),
  address: Type.String({ minLength: 1, maxLength: 300, description: 'host:port as servedBy shows it' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'its HTTP port (/health, /metrics)' }),
  pid: Type.Integer({ minimum: 0 }),
  startedAt: Type.String({ format: 'date-time' }),
  intervalMs: Type.Integer({ minimum: 100, maximum: 600_000, description: 'until the next announcement' }),
  state: Type.Union([Type.Literal('up'), Type.Literal('leaving')]),
});

export type InstanceAnnouncement = Static<typeof InstanceAnnouncementSchema>;

/**
 * The fanout exchange announcements travel on: beside the config bus it belongs to
 * (`springCloudBus.instances` for the default `springCloudBus`), so a landscape and the services it shows
 * share it by sharing the bus, and nothing reaches the services' own bus queues.
 */
export function announcementExchange(bus: string): string {
  return `${bus}.instances`;
}

export function instanceAnnouncementType(bus: string): MessageType<typeof InstanceAnnouncementSchema> {
  const exchange = announcementExchange(bus);
  return defineMessage({
    name: INSTANCE_ANNOUNCEMENT,
    schema: InstanceAnnouncementSchema,
    destination: { kind: 'exchange', exchange, exchangeType: 'fanout', routingKey: exchange },
    maxBytes: 8 * 1024,
  });
}
