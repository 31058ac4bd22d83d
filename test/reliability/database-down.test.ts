// The shared PostgreSQL database stops for 10 s under a steady load, then comes back. While it is away:
// reads that need it answer 503 with a JSON error, /health is DOWN naming the database, nothing crashes.
// After: everything UP again by itself, and every VIP read answered 200 counted exactly once (nothing lost).
// The database is a throwaway server of the test's own (the machine's is never stopped); its URL carries a
// password (trust auth ignores it), which must appear in no line either service writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as outage } from 'node:timers/promises';
import { adminQuery, startLoad, startPostgresInstance, waitUntil } from '@goblog/testkit';
import type { LoadStats, PostgresInstance, RunningService } from '@goblog/testkit';
import { offerOf, outboxDepth, startHosts } from '../landscape/support/shared-database.ts';
import type { Hosts } from '../landscape/support/shared-database.ts';
import { assertExactlyOnce, messagesIn, waitAllUp } from './support/checks.ts';
import { moreVipReads } from './support/traffic.ts';

const PASSWORD = 'pg-secret-7d1f';
/** How long the database stays away: the scenario's length, not a wait for something to happen. */
const OUTAGE_MS = 10_000;

interface Health {
  readonly status?: string;
  readonly checks?: { readonly database?: { readonly ok: boolean; readonly detail?: { url?: string } } };
}

async function healthOf(service: RunningService): Promise<{ status: number; body: Health }> {
  const res = await fetch(`${service.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Health };
}

void describe('the shared database stopped for 10 s under load', () => {
  let server: PostgresInstance | undefined;
  let hosts: Hosts | undefined;
  let url = '';

  before(async () => {
    server = await startPostgresInstance();
    await adminQuery('CREATE DATABASE goblog', server.url());
    const withPassword = new URL(server.url('goblog'));
    withPassword.password = PASSWORD;
    url = withPassword.toString();
    hosts = await startHosts('db-down', url);
  });
  after(async () => {
    await hosts?.close();
    await server?.destroy();
  });

  void it(
    'answers 503 while it is away, loses nothing, and is UP again by itself',
    { timeout: 120_000 },
    async () => {
      const h = hosts as Hosts;
      const pg = server as PostgresInstance;
      const vipservice = await h.start('vipservice');
      const accountservice = await h.start('accountservice');
      const load = startLoad({ accountUrl: () => accountservice.baseUrl, ratePerSecond: 200 });
      let stats: LoadStats;
      try {
        await moreVipReads(load, 100);
        await pg.stop();
        const services = [accountservice, vipservice];
        await waitUntil(
          async () => (await Promise.all(services.map(healthOf))).every((r) => r.status === 503),
          20_000,
          () => 'both services DOWN on /health',
        );
        for (const service of services) {
          const { body } = await healthOf(service);
          assert.equal(body.status, 'DOWN');
          const database = body.checks?.database;
          assert.ok(database !== undefined, `${service.name} names the database`);
          assert.equal(database.ok, false);
          assert.ok(database.detail?.url?.includes('***'), 'the database URL is shown masked');
        }
        const read = await fetch(`${accountservice.baseUrl}/accounts/10000`, {
          signal: AbortSignal.timeout(10_000),
        });
        assert.equal(read.status, 503);
        assert.match(((await read.json()) as { error: string }).error, /database is unavailable/);
        const offer = await fetch(`${vipservice.baseUrl}/offers/10000`, {
          signal: AbortSignal.timeout(10_000),
        });
        assert.equal(offer.status, 503);
        assert.match(((await offer.json()) as { error: string }).error, /database is unavailable/);
        await outage(OUTAGE_MS);
        await pg.start();
        await waitAllUp(services);
        await moreVipReads(load, 100);
      } finally {
        stats = await load.stop();
      }
      assert.ok(
        (stats.otherStatuses['vip 503'] ?? 0) > 0,
        `VIP reads answered 503 meanwhile: ${JSON.stringify(stats)}`,
      );
      assert.deepEqual(
        Object.keys(stats.otherStatuses).filter((k) => !k.endsWith(' 503')),
        [],
        'no status other than 200 and 503',
      );
      let last = '';
      await waitUntil(
        async () => {
          const depth = await outboxDepth(url);
          const queues = await messagesIn([h.queue, `${h.queue}.retry`, `${h.queue}.dlq`]);
          const counted = ((await offerOf(vipservice, '10000')) as { notifications?: number } | undefined)
            ?.notifications;
          last = `outbox ${depth}, queues ${JSON.stringify(queues)}, counted ${counted ?? 0}/${stats.vip200}`;
          return depth === 0 && Object.values(queues).every((n) => n === 0) && (counted ?? 0) >= stats.vip200;
        },
        60_000,
        () => `the landscape to settle (${last})`,
      );
      const counted = ((await offerOf(vipservice, '10000')) as { notifications: number }).notifications;
      assertExactlyOnce(stats, counted);
      assert.deepEqual(h.unexpectedExits(), [], 'no service crashed (no unhandled rejection)');
      for (const service of h.everStarted()) {
        const leaked = service.lines.filter((line) => line.includes(PASSWORD));
        assert.deepEqual(leaked, [], `${service.name} never logs the database password`);
      }
    },
  );
});
