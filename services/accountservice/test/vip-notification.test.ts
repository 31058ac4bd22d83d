import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryTransport } from '@goblog/messaging';
import type { MemoryTransport } from '@goblog/messaging';
import { createLiveConfig } from '@goblog/config';
import { VIP_QUEUE, followConfig } from '../src/index.js';
import type { AccountserviceConfig } from '../src/index.js';
import { capturePinoLogger, testApp } from './support/fixtures.js';
import type { TestApp } from './support/fixtures.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

void describe('VIP notifications', () => {
  let transport: MemoryTransport;
  let t: TestApp;

  beforeEach(async () => {
    transport = createMemoryTransport({ appId: 'accountservice' });
    t = await testApp({ vipIds: ['10000'], transport });
  });

  afterEach(async () => {
    await t.close();
    await transport.close();
  });

  // The article's TestNotificationIsSentForVIPAccount, awaiting the publication instead of sleeping 10 ms.
  void it('a VIP read emits exactly one notification with the contract body and properties', async () => {
    const drained = t.drained();
    const before = Date.now();
    const res = await t.app.inject({ method: 'GET', url: '/accounts/10000' });
    const after = Date.now();
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ name: string }>().name, 'Person_0');

    const [message] = await transport.waitForPublished(VIP_QUEUE, 1);
    await drained;
    assert.equal(transport.published(VIP_QUEUE).length, 1);
    assert.ok(message);
    assert.equal(message.routingKey, VIP_QUEUE);
    const body = message.body.toString('utf8');
    assert.match(body, /^\{"accountId":"10000","readAt":"[^"]+"\}$/);
    const { readAt } = JSON.parse(body) as { readAt: string };
    assert.match(readAt, RFC3339);
    assert.ok(Date.parse(readAt) >= before && Date.parse(readAt) <= after, readAt);
    assert.equal(message.type, 'VipNotification');
    assert.equal(message.appId, 'accountservice');
    assert.match(message.messageId ?? '', UUID);
    assert.ok(message.timestamp !== undefined && message.timestamp >= Math.floor(before / 1000) * 1000);
  });

  void it("the read's W3C traceparent continues in the notification's headers", async () => {
    const drained = t.drained();
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await t.app.inject({
      method: 'GET',
      url: '/accounts/10000',
      headers: { traceparent: incoming },
    });
    assert.equal(res.statusCode, 200);
    const [message] = await transport.waitForPublished(VIP_QUEUE, 1);
    await drained;
    assert.match(
      String(message?.headers.traceparent),
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
    );
  });

  void it('a non-VIP read emits none', async () => {
    const drained = t.drained();
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10001' })).statusCode, 200);
    // A VIP read afterwards: had the first read emitted anything, it would be published before this one.
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);
    await drained;
    const published = transport.published(VIP_QUEUE);
    assert.deepEqual(
      published.map((m) => (m.value as { accountId: string }).accountId),
      ['10000'],
    );
  });

  void it('bad and unknown ids emit none', async () => {
    const drained = t.drained();
    for (const url of [
      '/accounts/abc',
      '/accounts/10100',
      '/accounts/',
      '/accounts/100000000000000000000000',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode === 400 || res.statusCode === 404, url);
    }
    assert.equal((await t.app.inject({ method: 'POST', url: '/accounts/10000' })).statusCode, 405);
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);
    await drained;
    assert.equal(transport.published(VIP_QUEUE).length, 1);
  });

  void it('every VIP read emits its own notification with its own message id', async () => {
    const drained = t.drained();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => t.app.inject({ method: 'GET', url: '/accounts/10000' })),
    );
    assert.ok(responses.every((r) => r.statusCode === 200));
    const published = await transport.waitForPublished(VIP_QUEUE, 20);
    await drained;
    assert.equal(transport.published(VIP_QUEUE).length, 20);
    assert.equal(new Set(published.map((m) => m.messageId)).size, 20);
  });

  // The broker itself going away and coming back: outbox-broker-down.test.ts, against RabbitMQ.
  void it('answers a VIP read while publishing fails and delivers the notification once it works again', async () => {
    transport.failPublishes('NOT_CONNECTED');
    const failedRound = t.round((round) => round.failed > 0, 'no relay round with a failed publish');
    const res = await t.app.inject({ method: 'GET', url: '/accounts/10000' });
    assert.equal(res.statusCode, 200);
    await failedRound;
    assert.equal(t.store.outbox.depth, 1);
    assert.equal(transport.published(VIP_QUEUE).length, 0);
    const drained = t.drained();
    transport.failPublishes(undefined);
    await drained;
    assert.equal(transport.published(VIP_QUEUE).length, 1);
  });

  void it('follows vip_account_ids on a configuration refresh, without a restart', async () => {
    let ids = ['10000'];
    const base = { vip_account_ids: ids, log_level: 'info' } as unknown as AccountserviceConfig;
    const live = createLiveConfig<AccountserviceConfig>(base, () =>
      Promise.resolve({ ...base, vip_account_ids: ids }),
    );
    followConfig(live, { vip: t.vip, logger: capturePinoLogger().logger });
    ids = ['10042'];
    assert.deepEqual((await live.refresh()).changed, ['vip_account_ids']);

    const drained = t.drained();
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10000' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/accounts/10042' })).statusCode, 200);
    await drained;
    assert.deepEqual(
      transport.published(VIP_QUEUE).map((m) => (m.value as { accountId: string }).accountId),
      ['10042'],
    );
  });
});
