import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil, withTimeout } from '@goblog/testkit';
import { outboxStatus, seedAccounts } from '../../src/index.js';
import type { AccountStorage, PendingNotification } from '../../src/index.js';

/** What a store under the contract can do beyond the common part (Watermill's Features). */
export interface StoreFeatures {
  /** Several stores (instances, hosts) share it: their relays' claims must not overlap. */
  readonly shared: boolean;
}

/**
 * Opens a store; with `features.shared`, `open(key)` twice with the same key gives two instances of one
 * shared store. Every store opened is closed by the contract; `cleanup` runs after each test.
 */
export interface StoreUnderTest {
  open(key: string): Promise<AccountStorage>;
  /** Changes an account behind the service's back (an operator's UPDATE), where the store allows it. */
  changeAccount?(id: string, name: string): Promise<void>;
  cleanup(): Promise<void>;
}

export const note = (n: number, recordedAt = Date.now()): PendingNotification => ({
  messageId: `m-${n}`,
  body: { accountId: '10000', readAt: new Date(recordedAt).toISOString() },
  recordedAt,
});

/**
 * The accountservice store contract: what the service relies on from the accounts and the outbox,
 * whichever store keeps them. The LMDB and the PostgreSQL adapters both pass it.
 */
export function storeContract(
  name: string,
  features: StoreFeatures,
  setup: () => Promise<StoreUnderTest>,
): void {
  void describe(`the account store contract: ${name}`, () => {
    const withStore = async (run: (open: (key?: string) => Promise<AccountStorage>) => Promise<void>) => {
      const subject = await setup();
      const opened: AccountStorage[] = [];
      try {
        await run(async (key = 'a') => {
          const store = await subject.open(key);
          opened.push(store);
          return store;
        });
      } finally {
        for (const store of opened) await store.close();
        await subject.cleanup();
      }
    };

    void it('seeds the accounts once: a second seed adds nothing and changes nothing', () =>
      withStore(async (open) => {
        const store = await open();
        assert.equal(await store.accounts.seed(seedAccounts()), 100);
        assert.equal(await store.accounts.seed([{ id: '10000', name: 'Changed' }]), 0);
        assert.deepEqual(await store.accounts.get('10000'), { id: '10000', name: 'Person_0' });
        assert.deepEqual(await store.accounts.get('10099'), { id: '10099', name: 'Person_99' });
        assert.equal(await store.accounts.get('10100'), undefined);
      }));

    void it('keeps outbox entries in recording order, with their message ids, until removed', () =>
      withStore(async (open) => {
        const store = await open();
        for (const n of [1, 2, 3]) await store.outbox.record(note(n, 1_000_000 + n));
        const entries = await store.outbox.peek(10);
        assert.deepEqual(
          entries.map((e) => e.messageId),
          ['m-1', 'm-2', 'm-3'],
        );
        const [first, second] = entries;
        assert.ok(first !== undefined && second !== undefined);
        assert.equal(first.body.accountId, '10000');
        assert.equal(first.recordedAt, 1_000_001);
        assert.equal(store.outbox.depth, 3);
        assert.deepEqual(outboxStatus(store.outbox, 1_010_001), { depth: 3, oldestAgeSeconds: 10 });
        await store.outbox.remove([first.seq, first.seq]);
        assert.equal(store.outbox.depth, 2);
        const rest = await store.outbox.peek(10, new Set([second.seq]));
        assert.deepEqual(
          rest.map((e) => e.messageId),
          ['m-3'],
        );
        await store.outbox.remove(rest.map((e) => e.seq));
        // Removing what is gone is a no-op.
        await store.outbox.remove([first.seq]);
        assert.equal(store.outbox.depth, 1);
      }));

    void it('calls onRecorded after the entry is committed', () =>
      withStore(async (open) => {
        const store = await open();
        // A wake-up is a hint: a store may also wake its relay for other reasons (PostgreSQL's LISTEN
        // connection coming up, a poll), with nothing new to read. What is guaranteed is a wake-up once the
        // record is committed, at which the entry is there to read. Wake-ups are handled one after another,
        // as the relay does (a peek holds its claim until the next remove).
        let handled = Promise.resolve();
        const seen = new Promise<number>((resolve, reject) => {
          store.outbox.onRecorded(() => {
            handled = handled
              .then(async () => {
                const entries = await store.outbox.peek(10);
                await store.outbox.remove([]);
                if (entries.length > 0) resolve(entries.length);
              })
              .catch(reject);
          });
        });
        await store.outbox.record(note(1));
        assert.equal(await withTimeout(seen, 5000, 'onRecorded never called'), 1);
      }));

    void it('adds up how long records waited for their commit (what the relay reads as pressure)', () =>
      withStore(async (open) => {
        const store = await open();
        const before = store.outbox.commitWaitMs;
        assert.equal(before, 0);
        const started = performance.now();
        await Promise.all([1, 2, 3].map((n) => store.outbox.record(note(n))));
        const elapsed = performance.now() - started;
        // Three records waited together, each at most as long as the whole.
        const waited = store.outbox.commitWaitMs;
        assert.ok(waited > 0, `${waited} ms`);
        assert.ok(waited <= 3 * elapsed, `${waited} of ${elapsed} ms`);
        assert.equal(store.outbox.depth, 3);
      }));

    void it('keeps what was recorded across a close and a reopen', () =>
      withStore(async (open) => {
        const first = await open();
        await first.outbox.record(note(1));
        await first.outbox.record(note(2));
        await first.close();
        const second = await open();
        assert.equal(second.outbox.depth, 2);
        await second.outbox.record(note(3));
        const entries = await second.outbox.peek(10);
        assert.deepEqual(
          entries.map((e) => e.messageId),
          ['m-1', 'm-2', 'm-3'],
        );
        await second.outbox.remove([]);
      }));

    void it('refuses a record once closed (STORE_CLOSED), losing nothing recorded before', () =>
      withStore(async (open) => {
        const store = await open();
        await store.outbox.record(note(1));
        await store.close();
        await assert.rejects(store.outbox.record(note(2)), { code: 'STORE_CLOSED' });
        assert.equal(store.isOpen, false);
      }));

    void it('serves an account changed in the store by the next reads (cached or not)', async (t) => {
      const subject = await setup();
      const change = subject.changeAccount?.bind(subject);
      if (change === undefined) {
        await subject.cleanup();
        t.skip('the store has no outside writer');
        return;
      }
      const store = await subject.open('a');
      try {
        await store.accounts.seed(seedAccounts());
        assert.deepEqual(await store.accounts.get('10001'), { id: '10001', name: 'Person_1' });
        assert.deepEqual(await store.accounts.get('10001'), { id: '10001', name: 'Person_1' });
        await change('10001', 'Renamed');
        await waitUntil(
          async () => (await store.accounts.get('10001'))?.name === 'Renamed',
          5000,
          () => 'the renamed account served',
        );
      } finally {
        await store.close();
        await subject.cleanup();
      }
    });

    if (!features.shared) return;

    void it('shared: what one relay claims the other skips, and gets once it is released', () =>
      withStore(async (open) => {
        const a = await open('x');
        const b = await open('x');
        for (const n of [1, 2, 3, 4]) await a.outbox.record(note(n));
        const claimedByA = await a.outbox.peek(2);
        assert.deepEqual(
          claimedByA.map((e) => e.messageId),
          ['m-1', 'm-2'],
        );
        const claimedByB = await b.outbox.peek(10);
        assert.deepEqual(
          claimedByB.map((e) => e.messageId),
          ['m-3', 'm-4'],
        );
        // A publishes m-1 only: m-2 is released by its remove; B confirms both of its own.
        await a.outbox.remove([claimedByA[0]?.seq ?? -1]);
        await b.outbox.remove(claimedByB.map((e) => e.seq));
        const left = await b.outbox.peek(10);
        assert.deepEqual(
          left.map((e) => e.messageId),
          ['m-2'],
        );
        await b.outbox.remove(left.map((e) => e.seq));
        assert.deepEqual(await a.outbox.peek(10), []);
      }));

    void it('shared: a store that goes away mid-claim leaves its rows to the others', () =>
      withStore(async (open) => {
        const a = await open('x');
        const b = await open('x');
        for (const n of [1, 2]) await a.outbox.record(note(n));
        assert.equal((await a.outbox.peek(10)).length, 2);
        assert.deepEqual(await b.outbox.peek(10), []);
        await a.close();
        const taken = await b.outbox.peek(10);
        assert.deepEqual(
          taken.map((e) => e.messageId),
          ['m-1', 'm-2'],
        );
        await b.outbox.remove(taken.map((e) => e.seq));
      }));

    void it('shared: every instance serves the accounts one of them seeded', () =>
      withStore(async (open) => {
        const [a, b] = await Promise.all([open('x'), open('x')]);
        const added = await Promise.all([a.accounts.seed(seedAccounts()), b.accounts.seed(seedAccounts())]);
        assert.equal(added[0] + added[1], 100);
        assert.deepEqual(await b.accounts.get('10042'), { id: '10042', name: 'Person_42' });
      }));
  });
}
