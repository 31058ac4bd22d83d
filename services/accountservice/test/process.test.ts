import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningService } from '../../../test/support/processes.js';
import { plainChannel } from '../../../test/support/broker.js';
import { health, readAccount, startAccountservice, tempDir, waitUntilDrained } from './support/service.js';
import { deleteVipQueue, takeAll, uniqueVipQueue } from './support/vip-queue.js';

void describe('the accountservice process', () => {
  let dir: string;
  let cleanup: () => void;
  const queues: string[] = [];
  const exchanges: string[] = [];
  const running: RunningService[] = [];

  before(() => {
    ({ dir, cleanup } = tempDir());
  });

  after(async () => {
    for (const s of running) await s.kill();
    for (const q of queues) await deleteVipQueue(q);
    const { connection, channel } = await plainChannel();
    for (const x of exchanges) await channel.deleteExchange(x).catch(() => undefined);
    await connection.close().catch(() => undefined);
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
    exchanges.push(bus);
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
    assert.notEqual(await service.exited, 0);
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
    assert.notEqual(await service.exited, 0);
    const errors = service.lines.filter((l) => l.startsWith('accountservice:'));
    assert.equal(errors.length, 1, service.lines.join('\n'));
    assert.match(errors[0] ?? '', /vip_account_ids/);
  });
});
