import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteBus, freePort, plainChannel, startService, waitUntil, withTimeout } from '@goblog/testkit';
import { publishNotifications } from './support/publish.js';
import {
  getOffer,
  gotMessageLines,
  sendRaw,
  startVipservice,
  offerInStore,
  readyIn,
  waitForNotifications,
} from './support/vip.js';
import { useVipProcesses } from './support/processes.js';

const GO_BODY = '{"accountId":"10042","readAt":"2017-02-15 20:06:27.033757223 +0000 UTC"}';

void describe('the vipservice process', () => {
  const procs = useVipProcesses();
  const buses: string[] = [];
  after(async () => {
    for (const bus of buses) await deleteBus(bus);
  });

  void it('logs "Got a message:", keeps the offer, reports UP, and exits 0 on SIGTERM', async () => {
    const queue = procs.queue();
    const service = await startVipservice({ dataDir: procs.dataDir('basic'), queue });
    procs.track(service);

    const health = await fetch(`${service.baseUrl}/health`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { status: string; checks: Record<string, unknown> };
    assert.equal(body.status, 'UP');
    assert.deepEqual(Object.keys(body.checks).sort(), ['broker', 'configBus', 'consumer', 'store']);
    assert.equal((await getOffer(service, '10042')).status, 404);

    // The article's Go accountservice: no message_id, readAt in Go's time.String() form.
    await sendRaw(queue, [{ body: GO_BODY, options: { contentType: 'application/json' } }]);
    const line = await service.waitForLine('Got a message:');
    // A JSON log line: the body is in its message, once, as the article's `Got a message: <body>`.
    assert.equal((JSON.parse(line) as { msg?: unknown }).msg, `Got a message: ${GO_BODY}`, line);
    await waitForNotifications(service, '10042', 1);

    const { status, offer } = await getOffer(service, '10042');
    assert.equal(status, 200);
    assert.ok(offer);
    assert.deepEqual(Object.keys(offer).sort(), [
      'accountId',
      'createdAt',
      'lastReadAt',
      'notifications',
      'offerId',
    ]);
    assert.equal(offer.accountId, '10042');
    assert.equal(offer.notifications, 1);
    assert.equal(offer.lastReadAt, '2017-02-15T20:06:27.033757223Z');
    assert.ok(!Number.isNaN(Date.parse(offer.createdAt)));
    assert.equal((await getOffer(service, 'not-an-id')).status, 400);

    // Counted once the handler resumes after the commit, a moment after the offer became visible.
    const recorded = /vipservice_notifications_total\{outcome="recorded"[^}]*\} 1\n/;
    await waitUntil(
      async () => recorded.test(await (await fetch(`${service.baseUrl}/metrics`)).text()),
      10_000,
      () => 'vipservice_notifications_total{outcome="recorded"} 1',
    );

    assert.equal(await service.stop(), 0);
  });

  void it('counts a message delivered again (same message_id) once', async () => {
    const queue = procs.queue();
    const dataDir = procs.dataDir('redelivery');
    const service = await startVipservice({ dataDir, queue });
    procs.track(service);
    const body = '{"accountId":"10000","readAt":"2024-05-01T10:00:00Z"}';
    await sendRaw(queue, [
      { body, options: { messageId: 'dup-1' } },
      { body, options: { messageId: 'dup-1' } },
      { body: '{"accountId":"10000","readAt":"2024-05-01T10:00:01Z"}', options: { messageId: 'dup-2' } },
      { body, options: { messageId: 'dup-1' } },
    ]);
    await waitUntil(
      () => gotMessageLines(service).length === 4,
      30_000,
      () => 'four deliveries',
    );
    // A graceful stop finishes and acks what is in flight: anything left in the queue was never acked.
    assert.equal(await service.stop(), 0);
    assert.equal(await readyIn(queue), 0);
    const offer = await offerInStore(dataDir, '10000');
    assert.equal(offer?.notifications, 2);
    assert.equal(offer.lastReadAt, '2024-05-01T10:00:01Z');
  });

  void it('keeps its offers across a restart on the same data_dir', async () => {
    const queue = procs.queue();
    const dataDir = procs.dataDir('restart');
    const first = await startVipservice({ dataDir, queue });
    procs.track(first);
    await publishNotifications(queue, 3, '10007');
    await waitForNotifications(first, '10007', 3);
    const before = (await getOffer(first, '10007')).offer;
    assert.equal(await first.stop(), 0);

    const second = await startVipservice({ dataDir, queue });
    procs.track(second);
    assert.deepEqual((await getOffer(second, '10007')).offer, before);
    assert.equal(await second.stop(), 0);
  });

  void it('reloads log_level on a bus refresh addressed to it, and ignores one for the accountservice', async () => {
    const queue = procs.queue();
    const bus = `springCloudBus.test.vip.${randomUUID().slice(0, 8)}`;
    buses.push(bus);
    const repo = procs.dataDir('config-repo');
    mkdirSync(repo, { recursive: true });
    const writeLevel = (level: string): void => {
      writeFileSync(join(repo, 'vipservice.yml'), `server_name: Vipservice\nlog_level: ${level}\n`);
    };
    writeLevel('info');
    const service = await startVipservice({
      dataDir: procs.dataDir('refresh'),
      queue,
      env: { CONFIG_REPO: repo, CONFIG_EVENT_BUS: bus, LOG_LEVEL: '' },
    });
    procs.track(service);

    writeLevel('debug');
    const { connection, channel } = await plainChannel();
    const send = (type: string, destinationService: string): void => {
      const event = {
        type,
        timestamp: Date.now(),
        originService: 'test',
        destinationService,
        id: randomUUID(),
      };
      channel.publish(bus, bus, Buffer.from(JSON.stringify(event)), { contentType: 'application/json' });
    };
    // Handled in order: the first is not addressed to the vipservice, the second is.
    send('RefreshRemoteApplicationEvent', 'accountservice:**');
    send('RefreshRemoteApplicationEvent', 'vipservice:**');
    await service.waitForLine('bus refresh applied');
    // Debug lines now show: another event type is ignored with one.
    send('AckRemoteApplicationEvent', '**');
    await service.waitForLine('not a refresh');
    await channel.close();
    await connection.close();
    assert.equal(service.lines.filter((l) => l.includes('bus refresh applied')).length, 1);
    assert.equal(await service.stop(), 0);
  });

  void it('exits non-zero with one line, and no password, when the broker cannot be reached', async () => {
    const service = await startService('vipservice', {
      port: await freePort(),
      waitHealthy: false,
      env: { DATA_DIR: procs.dataDir('nobroker'), AMQP_SERVER_URL: 'amqp://guest:s3cret-pw@127.0.0.1:1/' },
    });
    procs.track(service);
    const code = await withTimeout(service.exited, 30_000, 'the service kept running without a broker');
    assert.notEqual(code, 0);
    const problem = service.lines.filter((l) => l.startsWith('vipservice:'));
    assert.equal(problem.length, 1, service.lines.join('\n'));
    assert.match(problem[0] ?? '', /cannot connect/);
    assert.ok(service.lines.every((l) => !l.includes('s3cret-pw')));
  });
});
