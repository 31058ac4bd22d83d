import { Type } from 'typebox';
import type { Static } from 'typebox';
import { defineMessage } from '@goblog/messaging';
import { parseReadAt } from './domain/read-at.js';

/** An account id: digits, bounded (the accountservice's rule, and the route's). */
export const ACCOUNT_ID_PATTERN = '^[0-9]{1,20}$';

/**
 * A VIP notification as either accountservice sends it: `{"accountId":"10000","readAt":"..."}`, `readAt` in
 * RFC 3339 or in Go's `time.String()` form. Unknown extra fields are tolerated (a newer publisher may add
 * some); a missing or malformed field is a schema failure, which parks the message in `<queue>.dlq`.
 */
export const VipNotificationSchema = Type.Object({
  accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN }),
  readAt: Type.Refine(
    Type.String({ maxLength: 100 }),
    (value: string) => parseReadAt(value) !== undefined,
    () => 'must be an RFC 3339 timestamp or Go time.String() form (2017-02-15 20:06:27.033757223 +0000 UTC)',
  ),
});

export type VipNotificationBody = Static<typeof VipNotificationSchema>;

/** The contract's queue. */
export const VIP_QUEUE = 'vip_queue';

/**
 * The VipNotification message type on `queue` (default exchange, routing key = queue). Only tests pass
 * another queue, to stay out of each other's way on a shared broker.
 */
export function vipNotificationType(queue: string = VIP_QUEUE) {
  return defineMessage({
    name: 'VipNotification',
    schema: VipNotificationSchema,
    destination: { kind: 'queue', queue },
    // A notification is two short fields: anything near this size is not one, and is parked unparsed.
    maxBytes: 64 * 1024,
  });
}
