import { Type } from '@goblog/schema';
import type { Static, TSchema } from '@goblog/schema';
import { defineMessage } from '@goblog/messaging';
import type { MessageType } from '@goblog/messaging';
import { ACCOUNT_ID_PATTERN } from './account-id.js';

/** The work queue VIP notifications travel on (default exchange, routing key = queue name). */
export const VIP_QUEUE = 'vip_queue';

/** The AMQP `type` property of a VIP notification. */
export const VIP_NOTIFICATION = 'VipNotification';

/** A notification is two short fields: a body anywhere near this size is not one, and is refused unparsed. */
export const VIP_NOTIFICATION_MAX_BYTES = 64 * 1024;

/**
 * The notification body as the accountservice writes it: `{"accountId":"10000","readAt":"<RFC 3339>"}`,
 * nothing else. A reader may accept more (the vipservice also reads the Go original's form).
 */
export const VipNotificationSchema = Type.Object(
  {
    accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN }),
    readAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export type VipNotificationBody = Static<typeof VipNotificationSchema>;

/**
 * The VipNotification message type on `queue`, validated with `schema` (default: the contract's body).
 * Only tests pass another queue, to stay out of each other's way on a shared broker; only a tolerant
 * reader passes another schema.
 */
export function vipNotificationType(queue?: string): MessageType<typeof VipNotificationSchema>;
export function vipNotificationType<S extends TSchema>(queue: string | undefined, schema: S): MessageType<S>;
export function vipNotificationType(
  queue: string = VIP_QUEUE,
  schema: TSchema = VipNotificationSchema,
): MessageType {
  return defineMessage({
    name: VIP_NOTIFICATION,
    schema,
    destination: { kind: 'queue', queue },
    maxBytes: VIP_NOTIFICATION_MAX_BYTES,
  });
}
