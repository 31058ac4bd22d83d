// The article's walkthrough, end to end over the real broker: read account 10000 over HTTP on a running
// accountservice and watch a running vipservice receive exactly that notification.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  BROKER_URL,
  deleteQueues,
  freePort,
  gotMessageAccountId,
  gotMessageBody,
  startService,
  waitUntil,
} from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';

describe('the article walkthrough', () => {
  let dataDir: string | undefined;
  // Whatever started, so that `after` stops it even when the other start failed.
  const started: RunningService[] = [];
  const service = (name: RunningService['name']): RunningService => {
    const found = started.find((s) => s.name === name);
    assert.ok(found, `${name} is not running`);
    return found;
  };
  // A queue of this test's own, so notifications of other tests cannot be mistaken for ours.
  const queue = `vip_queue.walkthrough.${randomUUID()}`;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'goblog-walkthrough-'));
    const env = { DATA_DIR: dataDir, VIP_QUEUE: queue, LOG_FORMAT: 'json', AMQP_SERVER_URL: BROKER_URL };
    const starts = await Promise.allSettled(
      (['accountservice', 'vipservice'] as const).map(async (name) => {
        started.push(await startService(name, { port: await freePort(), env }));
      }),
    );
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    // Whatever failed: every process is gone before its queues are (a live one would declare them again).
    await Promise.allSettled(started.map((s) => s.stop().catch(() => s.kill())));
    await deleteQueues(queue);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('reading VIP account 10000 makes the vipservice log that notification', async () => {
    const accountservice = service('accountservice');
    const vipservice = service('vipservice');
    const seen = notifications(vipservice).length;
    const before = Date.now();
    const response = await fetch(`${accountservice.baseUrl}/accounts/10000`, {
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200);
    const account = (await response.json()) as Record<string, unknown>;
    assert.equal(account.id, '10000');
    assert.equal(account.name, 'Person_0');
    assert.equal(typeof account.servedBy, 'string');

    await waitUntil(
      () => notifications(vipservice).length > seen,
      15_000,
      () => 'the notification of this read',
    );
    const fresh = notifications(vipservice).slice(seen);
    assert.equal(fresh.length, 1);
    const line = fresh[0] ?? '';
    const notification = gotMessageBody(line) as { accountId?: string; readAt?: string } | undefined;
    assert.ok(notification?.readAt, `no notification in: ${line}`);
    assert.equal(notification.accountId, '10000');
    const readAt = Date.parse(notification.readAt);
    assert.ok(
      readAt >= before - 1000 && readAt <= Date.now(),
      `readAt ${notification.readAt} is not this read`,
    );
  });

  it('reading a non-VIP account sends nothing', async () => {
    const accountservice = service('accountservice');
    const vipservice = service('vipservice');
    // Only what arrives from here on is this test's: it does not depend on any other test having run.
    const seen = notifications(vipservice).length;
    const read = (id: string): Promise<Response> =>
      fetch(`${accountservice.baseUrl}/accounts/${id}`, { signal: AbortSignal.timeout(10_000) });
    assert.equal((await read('10001')).status, 200);
    // Notifications go out in recording order: once this VIP read's notification is in, the non-VIP read
    // before it would have been too.
    assert.equal((await read('10000')).status, 200);
    await waitUntil(
      () => notifications(vipservice).length > seen,
      15_000,
      () => 'the marker VIP notification',
    );
    const fresh = notifications(vipservice).slice(seen);
    assert.deepEqual(
      fresh.map((l) => gotMessageAccountId(l)),
      ['10000'],
      'only account 10000 was notified',
    );
  });
});

function notifications(service: RunningService): string[] {
  return service.lines.filter((l) => l.includes('Got a message:'));
}
