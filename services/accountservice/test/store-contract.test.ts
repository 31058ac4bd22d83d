// The account store contract on both adapters: LMDB under a temp data_dir, and PostgreSQL in a database of
// the test's own on the machine's server (created and dropped here).
import { silentLogger } from '@goblog/messaging';
import { createTestDatabase, queryRows, tempDir } from '@goblog/testkit';
import { AccountStore, PgAccountStore } from '../src/index.js';
import { storeContract } from './support/store-contract.js';

storeContract('LMDB', { shared: false }, () => {
  const dir = tempDir('accountservice-contract');
  return Promise.resolve({
    open: () => Promise.resolve(AccountStore.open({ dataDir: dir.dir })),
    cleanup: () => {
      dir.cleanup();
      return Promise.resolve();
    },
  });
});

storeContract('PostgreSQL', { shared: true }, async () => {
  const database = await createTestDatabase('account_contract');
  return {
    open: () => PgAccountStore.open({ url: database.url, logger: silentLogger }),
    changeAccount: async (id, name) => {
      await queryRows(database.url, 'UPDATE accountservice.accounts SET name = $2 WHERE id = $1', [id, name]);
    },
    cleanup: () => database.drop(),
  };
});
