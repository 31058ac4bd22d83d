import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { applyNotification, type Offer } from '../src/domain/offer.js';
import { parseReadAt } from '../src/domain/read-at.js';
import { OfferStore } from '../src/store/offer-store.js';
import { isVipError } from '../src/errors.js';

const run = promisify(execFile);
const writer = fileURLToPath(new URL('./support/store-writer.ts', import.meta.url));
const ctx = { now: () => new Date('2024-06-01T00:00:00Z'), newOfferId: () => 'offer-x' };

function count(readAt: string) {
  const parsed = parseReadAt(readAt);
  assert.ok(parsed);
  return (current: Offer | undefined): Offer =>
    applyNotification(current, { accountId: '10000', readAt: parsed }, ctx);
}

void describe('the offer store', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vipservice-store-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it('applies a change once per dedup key and reports the repeat as a duplicate', async () => {
    const store = OfferStore.open({ dataDir: join(dir, 'once') });
    try {
      assert.equal(await store.applyOnce('id:a', '10000', count('2024-01-01T00:00:00Z')), 'recorded');
      assert.equal(await store.applyOnce('id:a', '10000', count('2024-01-03T00:00:00Z')), 'duplicate');
      assert.equal(await store.applyOnce('id:b', '10000', count('2024-01-02T00:00:00Z')), 'recorded');
      assert.deepEqual(store.get('10000'), {
        accountId: '10000',
        offerId: 'offer-x',
        createdAt: '2024-06-01T00:00:00.000Z',
        notifications: 2,
        lastReadAt: '2024-01-02T00:00:00Z',
      });
      assert.equal(store.get('10001'), undefined);
      assert.equal(store.dedupRecords(), 2);
      assert.equal(store.offerCount(), 1);
    } finally {
      await store.close();
    }
  });

  void it('counts concurrent distinct notifications exactly, duplicates among them once', async () => {
    const store = OfferStore.open({ dataDir: join(dir, 'concurrent') });
    try {
      const keys = Array.from({ length: 500 }, (_, i) => `id:${i % 400}`);
      const outcomes = await Promise.all(
        keys.map((k) => store.applyOnce(k, '10000', count('2024-01-01T00:00:00Z'))),
      );
      assert.equal(outcomes.filter((o) => o === 'recorded').length, 400);
      assert.equal(store.get('10000')?.notifications, 400);
    } finally {
      await store.close();
    }
  });

  void it('survives a reopen with its offers and dedup records', async () => {
    const dataDir = join(dir, 'reopen');
    const first = OfferStore.open({ dataDir, durability: 'flush' });
    await first.applyOnce('id:r', '10000', count('2024-01-01T00:00:00Z'));
    await first.close();
    const second = OfferStore.open({ dataDir });
    try {
      assert.equal(second.get('10000')?.notifications, 1);
      assert.equal(await second.applyOnce('id:r', '10000', count('2024-01-01T00:00:00Z')), 'duplicate');
    } finally {
      await second.close();
    }
  });

  void it('is shared by processes on one data_dir: each message counts once however they race', async () => {
    const dataDir = join(dir, 'shared');
    const spawnWriter = (prefix: string) =>
      run(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', writer, dataDir, prefix, '300', '300'],
        {
          timeout: 60_000,
        },
      );
    const results = await Promise.all([spawnWriter('a'), spawnWriter('b'), spawnWriter('c')]);
    const outcomes = results.map((r) => JSON.parse(r.stdout) as { recorded: number; duplicate: number });
    // Each writer recorded its 300 own keys; the 300 shared keys were recorded once in total.
    assert.equal(
      outcomes.reduce((sum, o) => sum + o.recorded, 0),
      3 * 300 + 300,
    );
    assert.equal(
      outcomes.reduce((sum, o) => sum + o.duplicate, 0),
      2 * 300,
    );
    const store = OfferStore.open({ dataDir });
    try {
      assert.equal(store.get('10000')?.notifications, 1200);
    } finally {
      await store.close();
    }
  });

  void it('prunes dedup records older than the cutoff, in batches, and keeps the offers', async () => {
    let now = 1_000_000;
    const store = OfferStore.open({ dataDir: join(dir, 'prune'), clock: () => now });
    try {
      for (let i = 0; i < 25; i++) await store.applyOnce(`id:${i}`, '10000', count('2024-01-01T00:00:00Z'));
      now = 2_000_000;
      await store.applyOnce('id:young', '10001', count('2024-01-01T00:00:00Z'));
      const cutoff = 1_500_000;
      assert.equal(await store.pruneDedup(cutoff, 10), 10);
      assert.equal(await store.pruneDedup(cutoff, 10), 10);
      assert.equal(await store.pruneDedup(cutoff, 10), 5);
      assert.equal(await store.pruneDedup(cutoff, 10), 0);
      assert.equal(store.dedupRecords(), 1);
      assert.equal(store.get('10000')?.notifications, 25);
      // A pruned key is no longer known; the young one still is.
      assert.equal(await store.applyOnce('id:young', '10001', count('2024-01-01T00:00:00Z')), 'duplicate');
    } finally {
      await store.close();
    }
  });

  void it('refuses work once closed, with STORE_CLOSED', async () => {
    const store = OfferStore.open({ dataDir: join(dir, 'closed') });
    await store.close();
    await store.close();
    assert.equal(store.isOpen, false);
    assert.throws(
      () => store.get('10000'),
      (err) => isVipError(err, 'STORE_CLOSED'),
    );
    await assert.rejects(store.applyOnce('id:z', '10000', count('2024-01-01T00:00:00Z')), (err) =>
      isVipError(err, 'STORE_CLOSED'),
    );
  });
});
