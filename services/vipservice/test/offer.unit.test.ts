import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyNotification, type Notification, type OfferContext } from '../src/domain/offer.js';
import { parseReadAt } from '../src/domain/read-at.js';

const ctx: OfferContext = { now: () => new Date('2024-06-01T12:00:00Z'), newOfferId: () => 'offer-1' };

function notification(readAt: string): Notification {
  const parsed = parseReadAt(readAt);
  assert.ok(parsed);
  return { accountId: '10000', readAt: parsed };
}

void describe('an offer', () => {
  void it('is created on the first notification', () => {
    const offer = applyNotification(undefined, notification('2017-02-15 20:06:27.033757223 +0000 UTC'), ctx);
    assert.deepEqual(offer, {
      accountId: '10000',
      offerId: 'offer-1',
      createdAt: '2024-06-01T12:00:00.000Z',
      notifications: 1,
      lastReadAt: '2017-02-15T20:06:27.033757223Z',
    });
  });

  void it('counts each later notification and keeps its id and creation time', () => {
    const first = applyNotification(undefined, notification('2024-01-01T00:00:00Z'), ctx);
    const later = { now: () => new Date('2030-01-01T00:00:00Z'), newOfferId: () => 'other' };
    const second = applyNotification(first, notification('2024-01-02T00:00:00Z'), later);
    assert.deepEqual(second, { ...first, notifications: 2, lastReadAt: '2024-01-02T00:00:00Z' });
  });

  void it('never moves lastReadAt backwards when notifications arrive out of order', () => {
    const first = applyNotification(undefined, notification('2024-01-02T00:00:00Z'), ctx);
    const second = applyNotification(first, notification('2024-01-01T00:00:00Z'), ctx);
    assert.equal(second.notifications, 2);
    assert.equal(second.lastReadAt, '2024-01-02T00:00:00Z');
  });
});
