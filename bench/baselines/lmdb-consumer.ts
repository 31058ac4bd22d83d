// The floor of vip-consume: a plain amqplib consumer doing the vipservice's durable work and nothing else.
// Per notification, in an lmdb-js asynchronous transaction (all of one event-loop turn share one commit, as
// in the service): the dedup key checked, the account's offer read, changed and written, the dedup record
// and its time index written; the message acked only once that transaction is committed. The same
// environment options as the vipservice's OfferStore (lmdb-js defaults, maxDbs 4), the same three databases,
// the same prefetch. No validation, no log line, no metrics: what is left is the work itself.
// Run as its own process, like the service: `node --import tsx bench/baselines/lmdb-consumer.ts
// <queue> <count> <prefetch> <warm> <data dir>`; prints `attached`, `warm` after the first <warm> commits,
// `done` after the last.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { open } from 'lmdb';

interface Offer {
  readonly accountId: string;
  readonly offerId: string;
  readonly createdAt: string;
  readonly notifications: number;
  readonly lastReadAt: string;
}

const [queue = '', count = '0', prefetch = '1', warm = '1', dataDir = ''] = process.argv.slice(2);
const root = open({ path: join(dataDir, 'vipservice'), maxDbs: 4 });
const offers = root.openDB<Offer, string>({ name: 'offers' });
const dedup = root.openDB<number, string>({ name: 'dedup' });
const seen = root.openDB<number, [number, string]>({ name: 'dedup-by-time' });

const connection = await amqplib.connect(process.env.AMQP_SERVER_URL ?? 'amqp://localhost');
const channel = await connection.createChannel();
await channel.prefetch(Number(prefetch));
let committed = 0;
await channel.consume(queue, (msg) => {
  if (msg === null) return;
  const { accountId, readAt } = JSON.parse(msg.content.toString('utf8')) as {
    accountId: string;
    readAt: string;
  };
  const key = `id:${String(msg.properties.messageId)}`;
  void root
    .transaction(() => {
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
    })
    .then(() => {
      channel.ack(msg);
      if (++committed === Number(warm)) process.stdout.write('warm\n');
      if (committed === Number(count)) process.stdout.write('done\n');
    });
});
process.stdout.write('attached\n');
process.once('SIGTERM', () => {
  void connection
    .close()
    .then(() => root.close())
    .finally(() => process.exit(0));
});
