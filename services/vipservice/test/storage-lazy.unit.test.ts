// A vipservice on its embedded store never loads the PostgreSQL store, its driver or its migrations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadedPackages } from '@goblog/testkit/loaded-packages';
import { openOfferStorage } from '../src/store/storage.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('the store the configuration selects', () => {
  it('without database_url is LMDB, and the PostgreSQL driver stays unloaded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'goblog-offer-storage-lazy-'));
    try {
      const store = await openOfferStorage({ dataDir, databaseUrl: '', logger: silent });
      assert.ok(store.location.startsWith(dataDir));
      await store.close();
      const loaded = loadedPackages();
      // The control: LMDB's own CommonJS dependencies are seen.
      assert.ok(loaded.has('lmdb'), `lmdb not among ${[...loaded].join(', ')}`);
      assert.deepEqual(
        ['pg', 'pg-pool', 'pg-protocol'].filter((name) => loaded.has(name)),
        [],
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
