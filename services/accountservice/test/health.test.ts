import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTransport } from '@goblog/messaging';
import type { MemoryTransport } from '@goblog/messaging';
import { testApp } from './support/fixtures.js';
import type { TestApp } from './support/fixtures.js';
import { FlakyOutbox } from './support/flaky-outbox.js';

interface HealthBody {
  status: string;
  checks: Record<string, { ok: boolean; detail?: unknown }>;
  outbox: { depth: number; oldestAgeSeconds: number };
}

const metricValue = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1));
};

void describe('/health and /metrics', () => {
  let t: TestApp | undefined;
  let transport: MemoryTransport | undefined;

  afterEach(async () => {
    await t?.close();
    await transport?.close();
  });

  void it('shows a growing outbox in the health body and the metrics while nothing relays it', async () => {
    t = await testApp();
    for (let i = 0; i < 3; i++)
      assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);

    const health = await t.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    const body = health.json<HealthBody>();
    assert.equal(body.status, 'UP');
    assert.equal(body.outbox.depth, 3);
    assert.ok(body.outbox.oldestAgeSeconds >= 0);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
    assert.equal(metricValue(metrics.body, 'outbox_depth'), 3);
    assert.ok(metricValue(metrics.body, 'outbox_oldest_entry_age_seconds') >= 0);
    assert.equal(metricValue(metrics.body, 'outbox_record_duration_seconds_count'), 3);
  });

  void it('counts what the relay published and empties the outbox', async () => {
    transport = createMemoryTransport();
    t = await testApp({ transport });
    const drained = t.drained();
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);
    await drained;
    const body = (await t.app.inject({ method: 'GET', url: '/health' })).json<HealthBody>();
    assert.deepEqual(body.outbox, { depth: 0, oldestAgeSeconds: 0 });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(metricValue(metrics, 'outbox_published_total'), 1);
    assert.equal(metricValue(metrics, 'outbox_depth'), 0);
  });

  void it('reports DOWN with the reason while the relay cannot read the outbox, UP once it can', async () => {
    transport = createMemoryTransport();
    let outbox: FlakyOutbox | undefined;
    t = await testApp({
      transport,
      relayOutbox: (real) => (outbox = new FlakyOutbox(real, 'always')),
    });
    assert.ok(outbox);
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);
    await outbox.peeked(4);

    const down = await t.app.inject({ method: 'GET', url: '/health' });
    assert.equal(down.statusCode, 503);
    const body = down.json<HealthBody>();
    assert.equal(body.status, 'DOWN');
    const relay = body.checks.relay;
    assert.ok(relay);
    assert.equal(relay.ok, false);
    assert.match(String(relay.detail), /damaged outbox entry/);
    assert.equal(body.outbox.depth, 1);

    const drained = t.drained();
    outbox.heal();
    await drained;
    const up = await t.app.inject({ method: 'GET', url: '/health' });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json<HealthBody>().checks.relay, { ok: true });
  });

  void it('answers 405 for other methods on /health', async () => {
    t = await testApp();
    assert.equal((await t.app.inject({ method: 'POST', url: '/health' })).statusCode, 405);
  });
});
