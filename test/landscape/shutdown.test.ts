// SIGTERM under steady traffic: a vipservice and then the accountservice stop mid-stream, each exits 0, and
// no notification of a read that got its 200 is lost (what the accountservice had not handed over waits in
// its outbox for the next start) or counted twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, queueDepth, startLoad, startService, waitUntil } from '@goblog/testkit';
import type { Load, RunningService } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { find, notificationsOf, scrape } from './support/observe.ts';

describe('graceful shutdown under traffic', () => {
  let iso: Isolation;
  const started: RunningService[] = [];
  let load: Load | undefined;

  before(async () => {
    iso = await isolate('shutdown');
  });

  after(async () => {
    await load?.stop();
    await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
    await iso.cleanup();
  });

  const start = async (name: 'accountservice' | 'vipservice', port: number): Promise<RunningService> => {
    const service = await startService(name, { port, env: iso.env, timeoutMs: 30_000 });
    started.push(service);
    return service;
  };

  it('loses nothing and every process exits 0', async () => {
    const [accountPort, vip1Port, vip2Port] = await Promise.all([freePort(), freePort(), freePort()]);
    // The consumers first, so the queue has somewhere to go from the first notification on.
    const [vip1, vip2] = await Promise.all([start('vipservice', vip1Port), start('vipservice', vip2Port)]);
    let accountservice = await start('accountservice', accountPort);
    const accountUrl = accountservice.baseUrl;
    load = startLoad({ accountUrl: () => accountUrl, ratePerSecond: 250, concurrency: 4, vipShare: 1 });

    await load.vip200Grows(200, 30_000);
    // Both consumers are busy when one of them goes.
    await Promise.all([
      vip1.waitForLine('Got a message:', 15_000),
      vip2.waitForLine('Got a message:', 15_000),
    ]);
    assert.equal(await vip1.stop(), 0, 'the vipservice stopped mid-stream exits 0');

    await load.vip200Grows(200, 30_000);
    assert.equal(await accountservice.stop(), 0, 'the accountservice stopped mid-stream exits 0');

    // Same port, same data_dir: its outbox still holds whatever the broker had not confirmed.
    accountservice = await start('accountservice', accountPort);
    await load.vip200Grows(200, 30_000);
    const final = await load.stop();
    assert.ok(final.vip200 > 600, `the load ran: ${JSON.stringify(final)}`);

    // The remaining vipservice drains the queue (what vip1 had prefetched came back to it) and the outbox.
    await waitUntil(
      async () => (await notificationsOf(vip2.baseUrl)) >= final.vip200,
      60_000,
      () => `${String(final.vip200)} notifications counted (load ${JSON.stringify(final)})`,
    );
    await waitUntil(
      async () => {
        const { samples } = await scrape(accountservice.baseUrl);
        const outbox = find(samples, 'outbox_depth')[0]?.value;
        return outbox === 0 && (await queueDepth(iso.queue)) === 0;
      },
      30_000,
      () => 'the outbox and the queue empty',
    );
    assert.equal(
      await notificationsOf(vip2.baseUrl),
      final.vip200,
      `every VIP read that got its 200 is counted exactly once (load ${JSON.stringify(final)})`,
    );

    assert.equal(await vip2.stop(), 0, 'the remaining vipservice exits 0');
    assert.equal(await accountservice.stop(), 0, 'the restarted accountservice exits 0');
    for (const s of started) assert.equal(await s.exited, 0, `${s.name}:${String(s.port)} exited 0`);
  });
});
