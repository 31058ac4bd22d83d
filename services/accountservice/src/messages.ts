import { Type } from 'typebox';
import { defineMessage } from '@goblog/messaging';

/** The contract's notification body: `{"accountId":"10000","readAt":"<RFC 3339>"}`. */
export const VipNotificationSchema = Type.Object(
  {
    accountId: Type.String({ pattern: '^[0-9]+$' }),
    readAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const VIP_QUEUE = 'vip_queue';

/**
 * The VipNotification message type, published on `queue` through the default exchange (routing key = queue).
 * Only tests pass another queue, to stay out of each other's way on a shared broker.
 */
export function vipNotificationType(queue: string = VIP_QUEUE) {
  return defineMessage({
    name: 'VipNotification',
    schema: VipNotificationSchema,
    destination: { kind: 'queue', queue },
  });
}

export const VipNotification = vipNotificationType();
