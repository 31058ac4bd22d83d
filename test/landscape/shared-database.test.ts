// Many hosts, one database: two accountservices and two vipservices, each with a data_dir of its own (as on
// separate hosts) and one DATABASE_URL. Steady VIP reads go to both accountservices; one instance of each
// is killed (kill -9) mid-stream and started again. Every read answered 200 is counted exactly once, and
// both vipservices answer the same offer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, startLoad, waitUntil } from '@goblog/testkit';
import type { LoadStats, TestDatabase } from '@goblog/testkit';
import { assertExactlyOnce, messagesIn, waitAllUp } from '../reliability/support/checks.ts';
import { moreVipReads } from '../reliability/support/traffic.ts';
import { offerOf, outboxDepth, startHosts } from './support/shared-database.ts';
import type { Hosts } from './support/shared-database.ts';

void describe('two hosts of each service on one PostgreSQL database', () => {
  let database: TestDatabase | undefined;
  let hosts: Hosts | undefined;

  before(async () => {
    database = await createTestDatabase('landscape_hosts');
    hosts = await startHosts('shared-db', database.url);
  });
  after(async () => {
    await hosts?.close();
    await database?.drop();
  });

  void it(
    'counts every VIP read answered 200 exactly once across kill -9 of one instance of each',
    { timeout: 120_000 },
    async () => {
      const h = hosts as Hosts;
      const url = (database as TestDatabase).url;
      // Started at once, so the migrations and the seeding race as they would on a fleet's first start.
      const [vipA, vipB, accountA, accountB] = await Promise.all([
        h.start('vipservice'),
        h.start('vipservice'),
        h.start('accountservice'),
        h.start('accountservice'),
      ]);
      const current = { accountA: accountA, vipA: vipA };
      const loadA = startLoad({ accountUrl: () => current.accountA.baseUrl, ratePerSecond: 150 });
      const loadB = startLoad({ accountUrl: () => accountB.baseUrl, ratePerSecond: 150 });
      let stats: [LoadStats, LoadStats];
      try {
        await Promise.all([moreVipReads(loadA, 150), moreVipReads(loadB, 150)]);
        [current.accountA, current.vipA] = await Promise.all([
          h.restart(current.accountA),
          h.restart(current.vipA),
        ]);
        await waitAllUp([current.accountA, current.vipA, accountB, vipB]);
        await Promise.all([moreVipReads(loadA, 150), moreVipReads(loadB, 150)]);
      } finally {
        stats = await Promise.all([loadA.stop(), loadB.stop()]);
      }
      const vip200 = stats[0].vip200 + stats[1].vip200;
      const noAnswer = stats[0].vipNoAnswer + stats[1].vipNoAnswer;

      let last = '';
      await waitUntil(
        async () => {
          const depth = await outboxDepth(url);
          const queues = await messagesIn([h.queue, `${h.queue}.retry`]);
          const offer = (await offerOf(vipB, '10000')) as { notifications?: number } | undefined;
          last = `outbox ${depth}, queues ${JSON.stringify(queues)}, counted ${offer?.notifications ?? 0}/${vip200}`;
          return (
            depth === 0 &&
            Object.values(queues).every((n) => n === 0) &&
            (offer?.notifications ?? 0) >= vip200
          );
        },
        60_000,
        () => `the landscape to settle (${last})`,
      );
      const [fromA, fromB] = await Promise.all([offerOf(current.vipA, '10000'), offerOf(vipB, '10000')]);
      assert.deepEqual(fromA, fromB, 'both vipservices answer the same offer');
      const counted = (fromB as { notifications: number }).notifications;
      assertExactlyOnce({ ...stats[0], vip200, vipNoAnswer: noAnswer }, counted);
      assert.ok(
        stats[0].nonVip200 > 0 && stats[1].nonVip200 > 0,
        'both accountservices served non-VIP accounts',
      );
      assert.deepEqual(h.unexpectedExits(), [], 'no service crashed');
    },
  );
});
