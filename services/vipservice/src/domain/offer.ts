import { compareReadAt, parseReadAt, type ReadAt } from './read-at.js';

/** The VIP offer of one account, as GET /offers/{accountId} shows it. */
export interface Offer {
  readonly accountId: string;
  /** A UUID, made when the offer is created and never changed. */
  readonly offerId: string;
  /** RFC 3339 (UTC): when this service created the offer, on the account's first notification. */
  readonly createdAt: string;
  /** How many distinct notifications were handled for the account (redeliveries and duplicates excluded). */
  readonly notifications: number;
  /** RFC 3339 (UTC): the latest `readAt` among those notifications. */
  readonly lastReadAt: string;
}

/** A notification, validated and with its `readAt` parsed. */
export interface Notification {
  readonly accountId: string;
  readonly readAt: ReadAt;
}

export interface OfferContext {
  readonly now: () => Date;
  readonly newOfferId: () => string;
}

/**
 * The offer after one more distinct notification: created on the first one, counted on each later one.
 * `lastReadAt` keeps the latest read, so notifications handled out of order (several instances, retries)
 * never move it backwards.
 */
export function applyNotification(current: Offer | undefined, n: Notification, ctx: OfferContext): Offer {
  if (current === undefined) {
    lastKept = n.readAt;
    return {
      accountId: n.accountId,
      offerId: ctx.newOfferId(),
      createdAt: ctx.now().toISOString(),
      notifications: 1,
      lastReadAt: n.readAt.iso,
    };
  }
  const previous = storedReadAt(current.lastReadAt);
  const later = previous === undefined || compareReadAt(n.readAt, previous) > 0;
  lastKept = later ? n.readAt : previous;
  return {
    ...current,
    notifications: current.notifications + 1,
    lastReadAt: later ? n.readAt.iso : current.lastReadAt,
  };
}

/**
 * The `lastReadAt` this module wrote last, parsed: an account's next notification usually finds exactly that
 * text in the stored offer, so it is not parsed again. A ReadAt is immutable and its `iso` parses back to the
 * same instant, so the shortcut can never change an outcome.
 */
let lastKept: ReadAt | undefined;

function storedReadAt(text: string): ReadAt | undefined {
  return lastKept !== undefined && lastKept.iso === text ? lastKept : parseReadAt(text);
}

/** What happened to one notification. */
export type RecordOutcome = 'recorded' | 'duplicate';

/** Where offers live. The LMDB and the PostgreSQL stores implement it; tests may use another. */
export interface OfferRepository {
  /**
   * The account's offer as last committed (by any instance sharing the store), or undefined; the embedded
   * store answers synchronously, the shared database with a promise.
   */
  get(accountId: string): Offer | undefined | Promise<Offer | undefined>;
  /**
   * Applies `change` to the account's offer and records `dedupKey` in one transaction, unless `dedupKey`
   * was recorded before (then nothing changes: 'duplicate'). Atomic across processes sharing the store.
   * Resolves once that transaction is committed, so the caller may acknowledge the message; rejects when
   * nothing was committed (the message should then be retried).
   */
  applyOnce(
    dedupKey: string,
    accountId: string,
    change: (current: Offer | undefined) => Offer,
  ): Promise<RecordOutcome>;
}
