// A vipservice on its embedded store never loads the PostgreSQL store, its driver or its migrations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOfferStorage } from '../src/store/storage.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('the store the configuration selects', () => {
  it('without database_url is LMDB, and the PostgreSQL driver stays unloaded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'goblog-offer-storage-lazy-'));
    try {
      const store = await openOfferStorage({ dataDir, databaseUrl: '', logger: silent });
      assert.ok(store.location.startsWith(dataDir));
      await store.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      // The control: LMDB's own CommonJS dependencies are seen.
      assert.ok(
        loaded.some((path) => path.includes('/node_modules/')),
        'no module seen',
      );
      assert.deepEqual(
        loaded.filter((path) => /\/node_modules\/(pg|pg-pool|pg-protocol)\//.test(path)),
        [],
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
