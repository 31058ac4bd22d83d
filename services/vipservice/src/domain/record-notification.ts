import {
  applyNotification,
  type Notification,
  type OfferContext,
  type OfferRepository,
  type RecordOutcome,
} from './offer.js';

/**
 * The use case behind each VIP notification: count it on the account's offer exactly once in effect.
 * A redelivery (same dedup key) finds its key already recorded and changes nothing.
 */
export function recordNotification(
  offers: OfferRepository,
  notification: Notification,
  key: string,
  ctx: OfferContext,
): Promise<RecordOutcome> {
  return offers.applyOnce(key, notification.accountId, (current) =>
    applyNotification(current, notification, ctx),
  );
}
