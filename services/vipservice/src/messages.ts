import { Type } from '@goblog/schema';
import type { Static } from 'typebox';
import { ACCOUNT_ID_PATTERN, VIP_QUEUE, vipNotificationType as contractType } from '@goblog/contracts';
import { MessagingError } from '@goblog/messaging';
import type { MessageType } from '@goblog/messaging';
import { parseReadAt, type ReadAt } from './domain/read-at.js';

const READ_AT_FORMS =
  'must be an RFC 3339 timestamp or Go time.String() form (2017-02-15 20:06:27.033757223 +0000 UTC)';

/**
 * The tolerant reader of the contract's notification (a documented extension of @goblog/contracts): what
 * either accountservice sends, `readAt` in RFC 3339 or in Go's `time.String()` form, and unknown extra fields
 * tolerated (a newer publisher may add some). The schema checks the shape; `readAt` is checked by parsing it
 * while decoding (see vipNotificationType). A missing or malformed field parks the message in `<queue>.dlq`.
 */
export const VipNotificationSchema = Type.Object({
  accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN }),
  readAt: Type.String({ maxLength: 100, description: READ_AT_FORMS }),
});

export type VipNotificationBody = Static<typeof VipNotificationSchema>;

/** Each decoded notification's parsed `readAt`, held by the decoded object itself (nothing outlives it). */
const parsedReadAt = new WeakMap<VipNotificationBody, ReadAt>();

/**
 * The VipNotification message type on `queue` as the vipservice reads it: the contract's queue, name and
 * size bound with the tolerant schema. Decoding parses `readAt` once and refuses what it cannot read
 * (INVALID_MESSAGE, parked like any schema failure); the handler takes the result with `readAtOf`.
 */
export function vipNotificationType(queue: string = VIP_QUEUE): MessageType<typeof VipNotificationSchema> {
  const wire: MessageType<typeof VipNotificationSchema> = contractType(queue, VipNotificationSchema);
  const checked = (value: VipNotificationBody): ReadAt => {
    const readAt = parseReadAt(value.readAt);
    if (readAt === undefined) {
      throw new MessagingError(
        'INVALID_MESSAGE',
        `${wire.name} does not match its schema: /readAt ${READ_AT_FORMS}`,
      );
    }
    return readAt;
  };
  return {
    ...wire,
    assert(value: unknown): asserts value is VipNotificationBody {
      wire.assert(value);
      checked(value);
    },
    encode(value) {
      checked(value);
      return wire.encode(value);
    },
    decode(body) {
      const value = wire.decode(body);
      parsedReadAt.set(value, checked(value));
      return value;
    },
  };
}

/**
 * The notification's `readAt`, parsed: as decoding left it, or parsed now for a value that did not come
 * through `decode` (undefined when unreadable).
 */
export function readAtOf(message: VipNotificationBody): ReadAt | undefined {
  return parsedReadAt.get(message) ?? parseReadAt(message.readAt);
}
