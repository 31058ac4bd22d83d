import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@goblog/messaging';
import { DedupPruner } from '../src/store/dedup-pruner.js';

/** A store holding `total` old records; records the cutoffs and batch sizes it is asked for. */
function fakeStore(total: number) {
  let left = total;
  const calls: { cutoffMs: number; limit: number }[] = [];
  return {
    calls,
    left: () => left,
    pruneDedup(cutoffMs: number, limit: number): Promise<number> {
      calls.push({ cutoffMs, limit });
      const n = Math.min(left, limit);
      left -= n;
      return Promise.resolve(n);
    },
  };
}

void describe('the dedup pruner', () => {
  void it('removes everything older than the retention in small batches', async () => {
    const store = fakeStore(1234);
    const pruned: number[] = [];
    const pruner = new DedupPruner({
      store,
      retentionMs: () => 7 * 24 * 3_600_000,
      batchSize: 500,
      logger: silentLogger,
      now: () => 10 * 24 * 3_600_000,
      onPruned: (n) => pruned.push(n),
    });
    assert.equal(await pruner.runOnce(), 1234);
    assert.equal(store.left(), 0);
    assert.deepEqual(pruned, [500, 500, 234]);
    assert.deepEqual(
      store.calls.map((c) => c.cutoffMs),
      Array<number>(3).fill(3 * 24 * 3_600_000),
    );
    assert.ok(store.calls.every((c) => c.limit === 500));
    await pruner.stop();
  });

  void it('stops between batches when asked to', async () => {
    const store = fakeStore(10_000);
    const pruner = new DedupPruner({ store, retentionMs: () => 0, batchSize: 10, logger: silentLogger });
    const run = pruner.runOnce();
    await pruner.stop();
    assert.ok((await run) < 10_000);
  });
});
