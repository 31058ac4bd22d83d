import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountStore, seedAccounts } from '../src/index.js';
import { tempDataDir } from './support/fixtures.js';

void describe('seeding the account store', () => {
  void it("adds the article's 100 accounts on first start", async () => {
    const { dir, cleanup } = tempDataDir();
    const store = AccountStore.open({ dataDir: dir });
    try {
      assert.equal(await store.accounts.seed(seedAccounts()), 100);
      assert.equal(store.accounts.count(), 100);
      assert.deepEqual(store.accounts.get('10000'), { id: '10000', name: 'Person_0' });
      assert.deepEqual(store.accounts.get('10099'), { id: '10099', name: 'Person_99' });
      assert.equal(store.accounts.get('10100'), undefined);
      assert.equal(store.path, `${dir}/accountservice`);
    } finally {
      await store.close();
      cleanup();
    }
  });

  void it('is idempotent across restarts and never overwrites an existing account', async () => {
    const { dir, cleanup } = tempDataDir();
    try {
      const first = AccountStore.open({ dataDir: dir });
      await first.accounts.seed(seedAccounts());
      await first.accounts.seed([{ id: '10200', name: 'Renamed later' }]);
      await first.close();

      const second = AccountStore.open({ dataDir: dir });
      assert.equal(await second.accounts.seed(seedAccounts()), 0);
      assert.equal(await second.accounts.seed([{ id: '10200', name: 'Someone else' }]), 0);
      assert.equal(second.accounts.count(), 101);
      assert.deepEqual(second.accounts.get('10200'), { id: '10200', name: 'Renamed later' });
      await second.close();
    } finally {
      cleanup();
    }
  });
});
