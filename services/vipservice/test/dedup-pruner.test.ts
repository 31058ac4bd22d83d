import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@goblog/messaging';
import { configSourceFromEnv, loadConfig } from '@goblog/config';
import { DEFAULTS, RESTART_KEYS, VipserviceConfigSchema } from '../src/config.js';
import type { Offer } from '../src/domain/offer.js';
import { DedupPruner } from '../src/store/dedup-pruner.js';
import { OfferStore } from '../src/store/offer-store.js';
import { steadyClock } from '../src/store/steady-clock.js';
import { tempConfigRepo } from '@goblog/testkit';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FLOOR = HOUR;

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

/** A wall clock and a monotonic clock the test moves: `pass` moves both, `step` only the wall clock. */
class Clocks {
  wall = Date.UTC(2026, 0, 1);
  monotonic = 0;
  readonly now = (): number => this.wall;
  readonly mono = (): number => this.monotonic;
  pass(ms: number): void {
    this.wall += ms;
    this.monotonic += ms;
  }
  step(ms: number): void {
    this.wall += ms;
  }
}

void describe('the dedup pruner', () => {
  void it('removes everything older than the retention in small batches', async () => {
    const store = fakeStore(1234);
    const pruned: number[] = [];
    const clocks = new Clocks();
    const pruner = new DedupPruner({
      store,
      retentionMs: () => 7 * DAY,
      floorMs: FLOOR,
      batchSize: 500,
      logger: silentLogger,
      now: clocks.now,
      monotonic: clocks.mono,
      onPruned: (n) => pruned.push(n),
    });
    clocks.pass(10 * DAY);
    assert.equal(await pruner.runOnce(), 1234);
    assert.equal(store.left(), 0);
    assert.deepEqual(pruned, [500, 500, 234]);
    assert.deepEqual(
      store.calls.map((c) => c.cutoffMs),
      Array<number>(3).fill(clocks.wall - 7 * DAY),
    );
    assert.ok(store.calls.every((c) => c.limit === 500));
    await pruner.stop();
  });

  void it('stops between batches when asked to', async () => {
    const store = fakeStore(10_000);
    const clocks = new Clocks();
    const pruner = new DedupPruner({
      store,
      retentionMs: () => FLOOR,
      floorMs: FLOOR,
      batchSize: 10,
      logger: silentLogger,
      now: clocks.now,
      monotonic: clocks.mono,
    });
    clocks.pass(2 * FLOOR);
    const run = pruner.runOnce();
    await pruner.stop();
    assert.ok((await run) < 10_000);
  });

  void describe('over a real store, its records stamped by the test clocks', () => {
    let dir: string;
    let clocks: Clocks;
    let store: OfferStore;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'vipservice-pruner-'));
      clocks = new Clocks();
      store = OfferStore.open({ dataDir: dir, clock: clocks.now });
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const record = (key: string): Promise<unknown> =>
      store.applyOnce(key, '10000', (current: Offer | undefined) => ({
        accountId: '10000',
        offerId: current?.offerId ?? 'offer-1',
        createdAt: current?.createdAt ?? '2026-01-01T00:00:00.000Z',
        notifications: (current?.notifications ?? 0) + 1,
        lastReadAt: '2026-01-01T00:00:00.000Z',
      }));
    const pruner = (retentionMs: number): DedupPruner =>
      new DedupPruner({
        store,
        retentionMs: () => retentionMs,
        floorMs: FLOOR,
        logger: silentLogger,
        now: clocks.now,
        monotonic: clocks.mono,
      });

    void it('keeps a record for the floor even when the retention it is given is shorter', async () => {
      const p = pruner(MINUTE);
      clocks.pass(2 * FLOOR);
      await record('m-1');
      clocks.pass(FLOOR / 2);
      assert.equal(await p.runOnce(), 0);
      assert.equal(store.dedupRecords(), 1);

      clocks.pass(FLOOR);
      assert.equal(await p.runOnce(), 1);
      assert.equal(store.dedupRecords(), 0);
    });

    void it('prunes nothing early when the wall clock steps forward', async () => {
      const p = pruner(2 * HOUR);
      clocks.pass(2 * FLOOR);
      await record('m-1');
      clocks.step(30 * DAY);
      clocks.pass(MINUTE);
      assert.equal(await p.runOnce(), 0);
      assert.equal(store.dedupRecords(), 1);

      // The retention still runs out, measured on the monotonic clock.
      clocks.pass(2 * HOUR);
      assert.equal(await p.runOnce(), 1);
    });

    void it('keeps its own records for the retention when the wall clock steps back, then forward again', async () => {
      // The store as main.ts opens it: stamped with a steady clock, here over the test's clocks.
      await store.close();
      store = OfferStore.open({ dataDir: join(dir, 'steady'), clock: steadyClock(clocks.now, clocks.mono) });
      const p = pruner(2 * HOUR);
      clocks.pass(2 * FLOOR);
      clocks.step(-30 * DAY);
      await record('m-1');
      clocks.step(30 * DAY);
      clocks.pass(MINUTE);
      assert.equal(await p.runOnce(), 0);
      assert.equal(store.dedupRecords(), 1);

      clocks.pass(2 * HOUR);
      assert.equal(await p.runOnce(), 1);
    });

    void it('prunes nothing before the process has run for the floor, however old records look', async () => {
      await record('m-1');
      // A later process, with a wall clock far ahead: a long downtime or a step, it cannot tell.
      clocks.step(30 * DAY);
      const p = pruner(7 * DAY);
      clocks.pass(FLOOR / 2);
      assert.equal(await p.runOnce(), 0);
      assert.equal(store.dedupRecords(), 1);

      clocks.pass(FLOOR);
      assert.equal(await p.runOnce(), 1);
    });
  });
  void it('follows dedup_retention_hours after a configuration refresh, without a restart', async () => {
    using repo = tempConfigRepo({ copy: false, files: { 'vipservice.yml': 'dedup_retention_hours: 48\n' } });
    const live = await loadConfig({
      schema: VipserviceConfigSchema,
      defaults: DEFAULTS,
      source: configSourceFromEnv('vipservice', { CONFIG_REPO: repo.dir }),
      restartKeys: RESTART_KEYS,
      env: {},
    });
    const store = fakeStore(0);
    const clocks = new Clocks();
    const pruner = new DedupPruner({
      store,
      // As the composition root wires it: the live value at each prune, not the value at startup.
      retentionMs: () => live.current.dedup_retention_hours * HOUR,
      floorMs: FLOOR,
      logger: silentLogger,
      now: clocks.now,
      monotonic: clocks.mono,
    });
    clocks.pass(10 * DAY);
    await pruner.runOnce();
    repo.write('vipservice.yml', 'dedup_retention_hours: 2\n');
    const { changed } = await live.refresh();
    assert.deepEqual(changed, ['dedup_retention_hours'], 'a live key, not a restart key');
    await pruner.runOnce();
    assert.deepEqual(
      store.calls.map((c) => (clocks.wall - c.cutoffMs) / HOUR),
      [48, 2],
    );
    await pruner.stop();
  });
});
