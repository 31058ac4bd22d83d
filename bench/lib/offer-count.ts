// The notification count of one offer, read straight from the vipservice's LMDB environment, opened
// read-only beside the running service (LMDB is made for readers in other processes). A commit is visible
// here from the moment it is visible to GET /offers/{id}; reading it costs the service nothing, where
// asking its HTTP API while it is being measured adds a load of the measurement's own.
import { join } from 'node:path';
import { open } from 'lmdb';

export interface OfferCount {
  /** The offer's `notifications` now (0 while it does not exist). */
  read(): number;
  /** The file every commit writes to: a watcher on it is woken by each commit. */
  readonly dataFile: string;
  close(): Promise<void>;
}

/** Opens the store under `dataDir` (the service's data_dir) for reading `accountId`'s count. */
export function openOfferCount(dataDir: string, accountId: string): OfferCount {
  const path = join(dataDir, 'vipservice');
  const root = open({ path, maxDbs: 4, readOnly: true });
  const offers = root.openDB<{ notifications: number }, string>({ name: 'offers' });
  return {
    read() {
      // A snapshot taken now (lmdb-js reuses one, which would still show an earlier commit), and let go of
      // at once: while a reader holds a snapshot, the writer cannot reuse the pages it still shows.
      root.resetReadTxn();
      const count = offers.get(accountId)?.notifications ?? 0;
      root.resetReadTxn();
      return count;
    },
    dataFile: join(path, 'data.mdb'),
    close: () => root.close(),
  };
}
