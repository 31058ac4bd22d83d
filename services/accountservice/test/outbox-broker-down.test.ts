// Stops a broker of the file's own (rabbitmqctl stop_app) for a few seconds; it is removed in `after`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir, usePrivateBroker, waitUntil } from '@goblog/testkit';
import type { BrokerInstance, RunningService } from '@goblog/testkit';
import { accountIds, health, readAccount, startAccountservice, waitUntilDrained } from './support/service.js';
import { takeAll, uniqueVipQueue } from './support/vip-queue.js';

void describe('the outbox while the broker is down', () => {
  const queue = uniqueVipQueue();
  const ids = accountIds(40);
  let dir: string;
  let cleanup: () => void;
  let service: RunningService | undefined;
  let broker: BrokerInstance;

  before(async () => {
    ({ dir, cleanup } = tempDir('accountservice-proc'));
    broker = await usePrivateBroker('outbox-broker-down');
  });

  after(async () => {
    await service?.stop().catch(() => undefined);
    await broker.destroy();
    cleanup();
  });

  void it('answers every VIP read at once and delivers every notification, once, when the broker is back', async () => {
    service = await startAccountservice({ dataDir: dir, vipQueue: queue, vipIds: ids });
    const running = service;
    const beforeOutage = ids.slice(0, 10);
    const duringOutage = ids.slice(10);
    for (const id of beforeOutage) assert.equal(await readAccount(running, id), 200);

    await broker.stopApp();
    await waitUntil(
      async () => (await health(running)).status === 503,
      30_000,
      () => 'health DOWN',
    );

    // A response that waited for the broker would hit the 2 s abort long before the broker is back.
    for (const id of duringOutage) assert.equal(await readAccount(running, id, 2000), 200);
    const down = await health(running);
    assert.equal(down.body.status, 'DOWN');
    assert.equal(down.body.checks.broker?.ok, false);
    assert.ok(down.body.outbox.depth >= duringOutage.length, JSON.stringify(down.body.outbox));
    assert.ok(down.body.outbox.oldestAgeSeconds > 0);
    const metrics = await (await fetch(`${running.baseUrl}/metrics`)).text();
    assert.match(metrics, new RegExp(`^outbox_depth\\{[^}]*\\} ${down.body.outbox.depth}$`, 'm'));

    await broker.startApp();
    await waitUntilDrained(running, 60_000);

    const received = await takeAll(queue);
    assert.deepEqual(received.map((m) => m.accountId).sort(), ids);
    assert.equal(new Set(received.map((m) => m.messageId)).size, ids.length);
    for (const m of received) {
      assert.equal(m.contentType, 'application/json');
      assert.equal(m.deliveryMode, 2);
      assert.equal(m.type, 'VipNotification');
      assert.equal(m.appId, 'accountservice');
      assert.equal(typeof m.timestamp, 'number');
      assert.match(m.body, /^\{"accountId":"\d+","readAt":"[^"]+"\}$/);
    }
  });
});
