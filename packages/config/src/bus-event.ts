import { randomUUID } from 'node:crypto';
import { defineMessage, type MessageType } from '@goblog/messaging';
import { Type, type Static } from '@goblog/schema';

export const REFRESH_EVENT = 'RefreshRemoteApplicationEvent';

/**
 * A Spring Cloud Bus event as JSON. Only `type` is required so that every event on the bus (acks, env
 * changes, events of newer Spring versions with more fields) decodes and can be ignored by type.
 */
export const BusEventSchema = Type.Object({
  type: Type.String(),
  timestamp: Type.Optional(Type.Number()),
  originService: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  destinationService: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  id: Type.Optional(Type.String()),
});

export type BusEvent = Static<typeof BusEventSchema>;
export type BusEventType = MessageType<typeof BusEventSchema>;

const types = new Map<string, BusEventType>();

/**
 * The springCloudBus message: JSON on the durable topic exchange `exchange`, routing key = the exchange
 * name (what Spring Cloud Stream's bus output uses). Subscribers bind with `#` to see every event.
 */
export function busEventType(exchange: string): BusEventType {
  let type = types.get(exchange);
  if (!type) {
    type = defineMessage({
      name: REFRESH_EVENT,
      schema: BusEventSchema,
      destination: { kind: 'exchange', exchange, exchangeType: 'topic', routingKey: exchange },
    });
    types.set(exchange, type);
  }
  return type;
}

/** Spring's RefreshRemoteApplicationEvent JSON, as the configserver publishes it. */
export function refreshEvent(originService: string, destinationService: string): BusEvent {
  return { type: REFRESH_EVENT, timestamp: Date.now(), originService, destinationService, id: randomUUID() };
}
