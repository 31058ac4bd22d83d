import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BROKER_VHOST,
  closeConnectionsOf,
  createBrokerUser,
  deleteBrokerUser,
  deleteBus,
  deleteQueues,
  plainChannel,
  rabbitmqctl,
  tempDir,
  waitUntil,
  withTimeout,
} from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { health, readAccount, startAccountservice, waitUntilDrained } from './support/service.js';
import { takeAll, uniqueVipQueue } from './support/vip-queue.js';

void describe('the accountservice process', () => {
  let dir: string;
  let cleanup: () => void;
  const queues: string[] = [];
  const buses: string[] = [];
  const running: RunningService[] = [];

  before(() => {
    ({ dir, cleanup } = tempDir('accountservice-proc'));
  });

  after(async () => {
    for (const s of running) await s.kill();
    for (const q of queues) await deleteQueues(q);
    for (const bus of buses) await deleteBus(bus);
    cleanup();
  });

  void it('serves accounts, reports UP with its outbox, and on SIGTERM delivers what it recorded and exits 0', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const service = await startAccountservice({
      dataDir: join(dir, 'a'),
      vipQueue: queue,
      vipIds: ['10000'],
    });
    running.push(service);

    const res = await fetch(`${service.baseUrl}/accounts/10001`);
    assert.equal(res.status, 200);
    const account = (await res.json()) as { id: string; name: string; servedBy: string };
    assert.deepEqual([account.id, account.name], ['10001', 'Person_1']);
    assert.match(account.servedBy, new RegExp(`:${service.port}$`));

    const up = await health(service);
    assert.equal(up.status, 200);
    assert.equal(up.body.status, 'UP');
    assert.deepEqual(Object.keys(up.body.checks).sort(), ['broker', 'configBus', 'relay', 'store']);
    assert.equal(typeof up.body.outbox.depth, 'number');

    assert.equal(await readAccount(service, '10000'), 200);
    assert.equal(await service.stop(), 0);
    const received = await takeAll(queue);
    assert.deepEqual(
      received.map((m) => m.accountId),
      ['10000'],
    );
  });

  void it('reloads vip_account_ids on a bus refresh, without a restart', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const bus = `springCloudBus.test.acct.${randomUUID().slice(0, 8)}`;
    buses.push(bus);
    const repo = join(dir, 'config-repo');
    mkdirSync(repo, { recursive: true });
    const writeVipIds = (ids: string[]): void => {
      writeFileSync(
        join(repo, 'accountservice.yml'),
        `server_name: Accountservice\nvip_account_ids:\n${ids.map((id) => `  - "${id}"`).join('\n')}\n`,
      );
    };
    writeVipIds(['10000']);
    const service = await startAccountservice({
      dataDir: join(dir, 'b'),
      vipQueue: queue,
      env: { CONFIG_REPO: repo, CONFIG_EVENT_BUS: bus },
    });
    running.push(service);

    writeVipIds(['10042']);
    const { connection, channel } = await plainChannel();
    const event = {
      type: 'RefreshRemoteApplicationEvent',
      timestamp: Date.now(),
      originService: 'test',
      destinationService: 'accountservice:**',
      id: randomUUID(),
    };
    channel.publish(bus, bus, Buffer.from(JSON.stringify(event)), { contentType: 'application/json' });
    await channel.close();
    await connection.close();
    await service.waitForLine('VIP accounts reloaded');

    assert.equal(await readAccount(service, '10000'), 200);
    assert.equal(await readAccount(service, '10042'), 200);
    await waitUntilDrained(service);
    assert.deepEqual(
      (await takeAll(queue)).map((m) => m.accountId),
      ['10042'],
    );
    await service.stop();
  });

  void it('exits non-zero with one line naming the broker problem, never the password', async () => {
    const service = await startAccountservice({
      dataDir: join(dir, 'c'),
      vipQueue: uniqueVipQueue(),
      waitHealthy: false,
      env: { AMQP_SERVER_URL: 'amqp://guest:s3cr3t-pw@127.0.0.1:1/' },
    });
    running.push(service);
    assert.notEqual(await withTimeout(service.exited, 30_000, 'the service kept running'), 0);
    const errors = service.lines.filter((l) => l.startsWith('accountservice:'));
    assert.equal(errors.length, 1, service.lines.join('\n'));
    assert.match(errors[0] ?? '', /cannot connect/);
    assert.match(errors[0] ?? '', /rabbitmq-server/);
    assert.ok(!service.lines.some((l) => l.includes('s3cr3t-pw')), service.lines.join('\n'));
  });

  void it('exits non-zero with one line naming an invalid key', async () => {
    const service = await startAccountservice({
      dataDir: join(dir, 'd'),
      vipQueue: uniqueVipQueue(),
      vipIds: ['not-an-id'],
      waitHealthy: false,
    });
    running.push(service);
    assert.notEqual(await withTimeout(service.exited, 30_000, 'the service kept running'), 0);
    const errors = service.lines.filter((l) => l.startsWith('accountservice:'));
    assert.equal(errors.length, 1, service.lines.join('\n'));
    assert.match(errors[0] ?? '', /vip_account_ids/);
  });
  void it('on SIGINT (Ctrl+C, as the README says to stop it) delivers what it recorded and exits 0', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const dataDir = join(dir, 'sigint');
    const service = await startAccountservice({ dataDir, vipQueue: queue, vipIds: ['10000'] });
    running.push(service);
    assert.equal(await readAccount(service, '10000'), 200);

    service.child.kill('SIGINT');
    assert.equal(await withTimeout(service.exited, 20_000, 'no exit after SIGINT'), 0);
    assert.ok(service.lines.some((l) => l.includes('shutting down') && l.includes('SIGINT')));
    assert.ok(service.lines.some((l) => l.includes('stopped')));
    assert.ok(!service.lines.some((l) => l.includes('shutdown step failed')), service.lines.join('\n'));
    assert.deepEqual(
      (await takeAll(queue)).map((m) => m.accountId),
      ['10000'],
    );
    // The store was closed cleanly: a new process opens it at once, with nothing left in the outbox.
    const again = await startAccountservice({ dataDir, vipQueue: queue, vipIds: ['10000'] });
    running.push(again);
    assert.equal((await health(again)).body.outbox.depth, 0);
    assert.equal(await again.stop(), 0);
  });

  void it('reports DOWN when only its config-bus consumer is detached, and UP once it is back', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const bus = `springCloudBus.test.acct.${randomUUID().slice(0, 8)}`;
    buses.push(bus);
    // A broker user of the test's own, so its permissions can keep one consumer out without touching others.
    const user = await createBrokerUser();
    try {
      const service = await startAccountservice({
        dataDir: join(dir, 'configbus'),
        vipQueue: queue,
        vipIds: ['10000'],
        env: { AMQP_SERVER_URL: user.url, CONFIG_EVENT_BUS: bus },
      });
      running.push(service);
      assert.equal((await health(service)).status, 200);

      // The config-bus queue is `<bus>.anonymous.accountservice.<id>`: the user may no longer declare it, so
      // after its connection is cut the service reconnects (broker, publisher, relay all fine) and its
      // config-bus consumer cannot re-attach.
      const busQueues = `^${bus.replaceAll('.', '\\.')}\\.anonymous\\.`;
      const allow = (configure: string): Promise<string> =>
        rabbitmqctl('set_permissions', '-p', BROKER_VHOST, user.name, configure, '.*', '.*');
      await allow(`^(?!${busQueues.slice(1)}).*`);
      await closeConnectionsOf(user.name);
      let last = '';
      await waitUntil(
        async () => {
          const h = await health(service).catch(() => undefined);
          last = JSON.stringify(h?.body);
          return (
            h?.status === 503 && h.body.checks.broker?.ok === true && h.body.checks.configBus?.ok === false
          );
        },
        30_000,
        () => `DOWN with the broker connected and the config bus detached (last: ${last})`,
      );
      const down = await health(service);
      assert.equal(down.body.status, 'DOWN');
      assert.deepEqual(
        Object.entries(down.body.checks)
          .filter(([, check]) => !check.ok)
          .map(([name]) => name),
        ['configBus'],
        'only the config bus is down',
      );
      assert.equal(await readAccount(service, '10001'), 200, 'it still answers reads');

      await allow('.*');
      await waitUntil(
        async () => (await health(service).catch(() => undefined))?.status === 200,
        30_000,
        () => 'UP again once the config-bus consumer may re-attach',
      );
      assert.equal(await service.stop(), 0);
    } finally {
      await deleteBrokerUser(user.name).catch(() => undefined);
    }
  });
});
