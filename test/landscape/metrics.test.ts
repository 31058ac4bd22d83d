// GET /metrics of every service, after real traffic: the HTTP, process, messaging, outbox and vipservice
// series an operator's dashboards are built on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startService, waitUntil } from '@goblog/testkit';
import type { RunningService, ServiceName } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { find, notificationsOf, scrape } from './support/observe.ts';
import type { Sample } from './support/observe.ts';

describe('metrics', () => {
  let iso: Isolation;
  let configserver: RunningService;
  let accountservice: RunningService;
  let vipservice: RunningService;
  // Whatever did start, even when another start failed: the after hook stops these.
  const started: RunningService[] = [];
  const start = async (name: ServiceName, port: number): Promise<RunningService> => {
    const service = await startService(name, { port, env: iso.env });
    started.push(service);
    return service;
  };

  before(async () => {
    iso = await isolate('metrics');
    const [configPort, accountPort, vipPort] = await Promise.all([freePort(), freePort(), freePort()]);
    [configserver, vipservice] = await Promise.all([
      start('configserver', configPort),
      start('vipservice', vipPort),
    ]);
    accountservice = await start('accountservice', accountPort);

    // The traffic the series below describe: a VIP read, its notification handled, a config fetch.
    assert.equal((await fetch(`${accountservice.baseUrl}/accounts/10000`)).status, 200);
    await waitUntil(
      async () => (await notificationsOf(vipservice.baseUrl)) === 1,
      15_000,
      () => 'the VIP notification handled',
    );
    assert.equal((await fetch(`${configserver.baseUrl}/accountservice/dev`)).status, 200);
    assert.equal((await fetch(`${vipservice.baseUrl}/offers/10000`)).status, 200);
  });

  after(async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
    await iso.cleanup();
  });

  it('the configserver exposes HTTP, process and broker connection series', async () => {
    const { samples } = await scrape(configserver.baseUrl);
    // The configserver serves its many URL forms through one route; which pattern it reports is its own.
    const served = find(samples, 'http_request_duration_seconds_count', {
      method: 'GET',
      status: '200',
    }).filter(
      (s) => s.labels.route !== undefined && s.labels.route !== '/health' && s.labels.route !== 'unmatched',
    );
    assert.ok(
      positive(served),
      `the config fetch in http_request_duration_seconds_count: ${JSON.stringify(samples.filter((s) => s.name === 'http_request_duration_seconds_count'))}`,
    );
    assert.ok(
      find(samples, 'http_request_duration_seconds_bucket', { status: '200' }).length > 0,
      'histogram buckets',
    );
    assertCommon(samples);
  });

  it('the accountservice exposes HTTP, publishing and outbox series', async () => {
    // Each 200 is recorded in the outbox first and handed to the broker by the relay: wait for the hand-over.
    await waitUntil(
      // The VIP queue's series: the instance announcements count in messaging_published_total too.
      async () =>
        positive(
          find((await scrape(accountservice.baseUrl)).samples, 'messaging_published_total', {
            destination: iso.queue,
          }),
        ),
      15_000,
      () => 'messaging_published_total for the VIP queue > 0',
    );
    const { samples } = await scrape(accountservice.baseUrl);
    assertHttp(samples, { route: '/accounts/:id', status: '200' });
    assertCommon(samples);
    assert.ok(
      positive(find(samples, 'messaging_published_total', { destination: iso.queue })),
      'messaging_published_total for the VIP queue',
    );
    assertPresent(samples, 'outbox_depth');
    assertPresent(samples, 'outbox_oldest_entry_age_seconds');
    assertPresent(samples, 'outbox_published_total');
  });

  it('the vipservice exposes HTTP, consuming and offer series', async () => {
    await waitUntil(
      async () => positive(find((await scrape(vipservice.baseUrl)).samples, 'messaging_acked_total')),
      15_000,
      () => 'messaging_acked_total > 0',
    );
    const { samples } = await scrape(vipservice.baseUrl);
    assertHttp(samples, { route: '/offers/:accountId', status: '200' });
    assertCommon(samples);
    assert.ok(positive(find(samples, 'messaging_consumed_total')), 'messaging_consumed_total > 0');
    assert.ok(positive(find(samples, 'messaging_acked_total')), 'messaging_acked_total > 0');
    assertPresent(samples, 'messaging_handler_duration_seconds_count');
    assert.equal(
      sum(find(samples, 'vipservice_notifications_total', { outcome: 'recorded' })),
      1,
      'vipservice_notifications_total{outcome="recorded"} counts the one notification',
    );
    assert.equal(find(samples, 'vipservice_offers')[0]?.value, 1, 'vipservice_offers');
    assertPresent(samples, 'vipservice_dedup_records');
    // A counter exposes its HELP/TYPE before the first increment; its absence here would be a renamed series.
    const { text } = await scrape(vipservice.baseUrl);
    assert.match(text, /^# TYPE vipservice_dedup_pruned_total counter$/m);
  });
});

/** The HTTP histogram with route and status labels, for a request of the given route. */
function assertHttp(samples: readonly Sample[], labels: Record<string, string>): void {
  const counts = find(samples, 'http_request_duration_seconds_count', labels);
  assert.ok(
    positive(counts),
    `http_request_duration_seconds_count${JSON.stringify(labels)}; have routes: ${JSON.stringify(
      find(samples, 'http_request_duration_seconds_count').map((s) => s.labels),
    )}`,
  );
  assert.ok(find(samples, 'http_request_duration_seconds_bucket', labels).length > 0, 'histogram buckets');
}

/** Series every service has: process memory, and the broker connection state (1 = connected). */
function assertCommon(samples: readonly Sample[]): void {
  assert.ok(positive(find(samples, 'process_resident_memory_bytes')), 'process_resident_memory_bytes');
  assert.equal(
    find(samples, 'messaging_connection_state', { state: 'connected' })[0]?.value,
    1,
    `messaging_connection_state{state="connected"} = 1; have ${JSON.stringify(find(samples, 'messaging_connection_state'))}`,
  );
}

function assertPresent(samples: readonly Sample[], name: string): void {
  assert.ok(find(samples, name).length > 0, `series ${name}`);
}

function sum(samples: readonly Sample[]): number {
  return samples.reduce((total, s) => total + s.value, 0);
}

function positive(samples: readonly Sample[]): boolean {
  return sum(samples) > 0;
}
