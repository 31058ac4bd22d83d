// The offer store contract on both adapters: LMDB under a temp data_dir, and PostgreSQL in a database of
// the test's own on the machine's server (created and dropped here).
import { join } from 'node:path';
import { silentLogger } from '@goblog/messaging';
import { createTestDatabase, tempDir } from '@goblog/testkit';
import { OfferStore, PgOfferStore } from '../src/index.js';
import { offerStoreContract } from './support/store-contract.js';

offerStoreContract('LMDB', { shared: true }, () => {
  const dir = tempDir('vipservice-contract');
  return Promise.resolve({
    open: (key, clock) =>
      Promise.resolve(
        OfferStore.open({ dataDir: join(dir.dir, key), ...(clock === undefined ? {} : { clock }) }),
      ),
    cleanup: () => {
      dir.cleanup();
      return Promise.resolve();
    },
  });
});

offerStoreContract('PostgreSQL', { shared: true }, async () => {
  const database = await createTestDatabase('offer_contract');
  return {
    open: (_key, clock) =>
      PgOfferStore.open({
        url: database.url,
        logger: silentLogger,
        ...(clock === undefined ? {} : { clock }),
      }),
    cleanup: () => database.drop(),
  };
});
