import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountStore, outboxStatus } from '../src/index.js';
import type { PendingNotification } from '../src/index.js';
import { tempDataDir } from './support/fixtures.js';
import { withTimeout } from '@goblog/testkit';

const note = (n: number, recordedAt = Date.now()): PendingNotification => ({
  messageId: `m-${n}`,
  body: { accountId: '10000', readAt: new Date(recordedAt).toISOString() },
  recordedAt,
});

void describe('the LMDB outbox', () => {
  void it('keeps entries in recording order, with the message id given at recording', async () => {
    const { dir, cleanup } = tempDataDir();
    const store = AccountStore.open({ dataDir: dir });
    try {
      await Promise.all([1, 2, 3].map((n) => store.outbox.record(note(n))));
      await store.outbox.record(note(4));
      const entries = store.outbox.peek(10);
      assert.deepEqual(
        entries.map((e) => e.messageId),
        ['m-1', 'm-2', 'm-3', 'm-4'],
      );
      assert.deepEqual(
        store.outbox.peek(2, new Set([entries[0]?.seq ?? -1])).map((e) => e.messageId),
        ['m-2', 'm-3'],
      );
      assert.equal(store.outbox.depth, 4);
    } finally {
      await store.close();
      cleanup();
    }
  });

  void it('removes entries and reports depth and the age of the oldest one', async () => {
    const { dir, cleanup } = tempDataDir();
    const store = AccountStore.open({ dataDir: dir });
    try {
      assert.deepEqual(outboxStatus(store.outbox), { depth: 0, oldestAgeSeconds: 0 });
      await store.outbox.record(note(1, 1_000_000));
      await store.outbox.record(note(2, 1_004_000));
      assert.deepEqual(outboxStatus(store.outbox, 1_010_000), { depth: 2, oldestAgeSeconds: 10 });
      const [first] = store.outbox.peek(1);
      assert.ok(first);
      await store.outbox.remove([first.seq, first.seq]);
      assert.deepEqual(outboxStatus(store.outbox, 1_010_000), { depth: 1, oldestAgeSeconds: 6 });
    } finally {
      await store.close();
      cleanup();
    }
  });

  void it('survives a restart and continues the sequence after what was left', async () => {
    const { dir, cleanup } = tempDataDir();
    try {
      const first = AccountStore.open({ dataDir: dir });
      await first.outbox.record(note(1));
      await first.outbox.record(note(2));
      const [head] = first.outbox.peek(1);
      assert.ok(head);
      await first.outbox.remove([head.seq]);
      await first.close();

      const second = AccountStore.open({ dataDir: dir, durability: 'flush' });
      assert.equal(second.outbox.depth, 1);
      await second.outbox.record(note(3));
      const entries = second.outbox.peek(10);
      assert.deepEqual(
        entries.map((e) => e.messageId),
        ['m-2', 'm-3'],
      );
      assert.ok((entries[1]?.seq ?? 0) > (entries[0]?.seq ?? 0));
      await second.close();
    } finally {
      cleanup();
    }
  });

  void it('wakes listeners once an entry is committed', async () => {
    const { dir, cleanup } = tempDataDir();
    const store = AccountStore.open({ dataDir: dir });
    try {
      const woken = new Promise<number>((resolve) => {
        store.outbox.onRecorded(() => {
          resolve(store.outbox.peek(10).length);
        });
      });
      await store.outbox.record(note(1));
      assert.equal(await withTimeout(woken, 5000, 'no listener woken by the commit'), 1);
    } finally {
      await store.close();
      cleanup();
    }
  });

  void it('refuses to record once closed', async () => {
    const { dir, cleanup } = tempDataDir();
    const store = AccountStore.open({ dataDir: dir });
    await store.close();
    await assert.rejects(store.outbox.record(note(1)), { code: 'STORE_CLOSED' });
    cleanup();
  });
});
