// The floor of vip-consume: a plain amqplib consumer doing the vipservice's durable work and nothing else.
// Per notification, in an lmdb-js asynchronous transaction (all of one event-loop turn share one commit, as
// in the service): the dedup key checked, the account's offer read, changed and written, the dedup record
// and its time index written; the message acked only once that transaction is committed. The same
// environment options as the vipservice's OfferStore (lmdb-js defaults, maxDbs 4), the same three databases,
// the same prefetch. The consumer around it is bench/lib/floor-consumer.ts: what is left is the work itself.
// Run as its own process, like the service: `node --import tsx bench/baselines/lmdb-consumer.ts
// <queue> <count> <prefetch> <warm> <data dir>`; prints `attached`, `warm` after the first <warm> commits,
// `done` after the last.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { open } from 'lmdb';
import { consumeFloor, floorArgs } from '../lib/floor-consumer.ts';

interface Offer {
  readonly accountId: string;
  readonly offerId: string;
  readonly createdAt: string;
  readonly notifications: number;
  readonly lastReadAt: string;
}

const args = floorArgs();
const root = open({ path: join(args.target, 'vipservice'), maxDbs: 4 });
const offers = root.openDB<Offer, string>({ name: 'offers' });
const dedup = root.openDB<number, string>({ name: 'dedup' });
const seen = root.openDB<number, [number, string]>({ name: 'dedup-by-time' });

await consumeFloor(
  args,
  ({ key, accountId, readAt }) =>
    root.transaction(() => {
      if (dedup.doesExist(key)) return;
      const current = offers.get(accountId);
      const next: Offer =
        current === undefined
          ? {
              accountId,
              offerId: randomUUID(),
              createdAt: new Date().toISOString(),
              notifications: 1,
              lastReadAt: readAt,
            }
          : {
              ...current,
              notifications: current.notifications + 1,
              lastReadAt: readAt > current.lastReadAt ? readAt : current.lastReadAt,
            };
      const seenAt = Date.now();
      offers.putSync(accountId, next);
      dedup.putSync(key, seenAt);
      seen.putSync([seenAt, key], 1);
    }),
  () => root.close(),
);
