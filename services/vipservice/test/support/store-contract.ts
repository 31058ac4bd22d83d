import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyNotification, parseReadAt } from '../../src/index.js';
import type { Offer, OfferStorage } from '../../src/index.js';

/** What a store under the contract can do beyond the common part (Watermill's Features). */
export interface StoreFeatures {
  /** Several handles (instances) on one store can be opened in one process. */
  readonly shared: boolean;
}

/** Opens a store; `open(key)` twice with the same key gives two handles on one store. */
export interface StoreUnderTest {
  open(key: string, clock?: () => number): Promise<OfferStorage>;
  cleanup(): Promise<void>;
}

const ctx = { now: () => new Date('2024-06-01T00:00:00Z'), newOfferId: () => 'offer-x' };

/** The change of one notification read at `readAt` on account 10000. */
export function count(readAt: string) {
  const parsed = parseReadAt(readAt);
  assert.ok(parsed);
  return (current: Offer | undefined): Offer =>
    applyNotification(current, { accountId: '10000', readAt: parsed }, ctx);
}

/**
 * The offer store contract: what the vipservice relies on from its offers and its inbox (the dedup
 * records), whichever store keeps them. The LMDB and the PostgreSQL adapters both pass it.
 */
export function offerStoreContract(
  name: string,
  features: StoreFeatures,
  setup: () => Promise<StoreUnderTest>,
): void {
  void describe(`the offer store contract: ${name}`, () => {
    const withStore = async (run: (open: StoreUnderTest['open']) => Promise<void>) => {
      const subject = await setup();
      const opened: OfferStorage[] = [];
      try {
        await run(async (key, clock) => {
          const store = await subject.open(key, clock);
          opened.push(store);
          return store;
        });
      } finally {
        for (const store of opened) await store.close();
        await subject.cleanup();
      }
    };

    void it('creates the offer on the first notification, counts each later one, ignores a repeated key', () =>
      withStore(async (open) => {
        const store = await open('a');
        assert.equal(await store.get('10000'), undefined);
        assert.equal(await store.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z')), 'recorded');
        assert.equal(await store.applyOnce('id:a', '10000', count('2024-01-03T00:00:00Z')), 'duplicate');
        assert.equal(await store.applyOnce('id:b', '10000', count('2024-01-02T00:00:00Z')), 'recorded');
        assert.deepEqual(await store.get('10000'), {
          accountId: '10000',
          offerId: 'offer-x',
          createdAt: '2024-06-01T00:00:00.000Z',
          notifications: 2,
          lastReadAt: '2024-01-02T00:00:00Z',
        });
        assert.equal(await store.offerCount(), 1);
        assert.equal(await store.dedupRecords(), 2);
      }));

    void it('counts every one of many concurrent notifications of one account', () =>
      withStore(async (open) => {
        const store = await open('a');
        const keys = Array.from({ length: 40 }, (_, i) => `id:${i}`);
        const outcomes = await Promise.all(
          keys.map((k) => store.applyOnce(k, '10000', count('2024-01-01T00:00:00Z'))),
        );
        assert.ok(outcomes.every((o) => o === 'recorded'));
        assert.equal((await store.get('10000'))?.notifications, 40);
      }));

    void it('keeps offers and dedup records across a close and a reopen', () =>
      withStore(async (open) => {
        const first = await open('a');
        await first.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z'));
        await first.close();
        const second = await open('a');
        assert.equal(await second.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z')), 'duplicate');
        assert.equal((await second.get('10000'))?.notifications, 1);
      }));

    void it('prunes only dedup records older than the cutoff, oldest first, at most the limit', () =>
      withStore(async (open) => {
        let now = 1_000;
        const store = await open('a', () => now);
        for (const key of ['id:1', 'id:2', 'id:3']) {
          await store.applyOnce(key, '10000', count('2024-01-01T00:00:00Z'));
          now += 1_000;
        }
        // Stamped 1000, 2000, 3000: a cutoff of 2500 allows the first two, the limit one of them.
        assert.equal(await store.pruneDedup(2_500, 1), 1);
        assert.equal(await store.applyOnce('id:1', '10000', count('2024-01-01T00:00:00Z')), 'recorded');
        assert.equal(await store.applyOnce('id:2', '10000', count('2024-01-01T00:00:00Z')), 'duplicate');
        assert.equal(await store.pruneDedup(2_500, 10), 1);
        assert.equal(await store.applyOnce('id:3', '10000', count('2024-01-01T00:00:00Z')), 'duplicate');
        assert.equal(await store.dedupRecords(), 2);
      }));

    void it('refuses work once closed (STORE_CLOSED)', () =>
      withStore(async (open) => {
        const store = await open('a');
        await store.close();
        assert.equal(store.isOpen, false);
        await assert.rejects(
          Promise.resolve().then(() => store.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z'))),
          { code: 'STORE_CLOSED' },
        );
        await assert.rejects(
          Promise.resolve().then(() => store.get('10000')),
          { code: 'STORE_CLOSED' },
        );
      }));

    if (!features.shared) return;

    void it('shared: two instances handling one notification at once count it once', () =>
      withStore(async (open) => {
        const a = await open('x');
        const b = await open('x');
        for (let i = 0; i < 20; i++) {
          const outcomes = await Promise.all(
            [a, b].map((s) => s.applyOnce(`id:same-${i}`, '10000', count('2024-01-01T00:00:00Z'))),
          );
          assert.deepEqual([...outcomes].sort(), ['duplicate', 'recorded']);
        }
        assert.equal((await a.get('10000'))?.notifications, 20);
        assert.deepEqual(await b.get('10000'), await a.get('10000'));
      }));

    void it('shared: the first notifications of an account on two instances at once both count', () =>
      withStore(async (open) => {
        const a = await open('x');
        const b = await open('x');
        await Promise.all([
          a.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z')),
          b.applyOnce('id:b', '10000', count('2024-01-02T00:00:00Z')),
        ]);
        assert.equal((await b.get('10000'))?.notifications, 2);
        assert.equal((await a.get('10000'))?.lastReadAt, '2024-01-02T00:00:00Z');
      }));
  });
}
