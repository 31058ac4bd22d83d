// The article's walkthrough, end to end over the real broker: read account 10000 over HTTP on a running
// accountservice and watch a running vipservice receive exactly that notification.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort, startService, waitUntil } from './support/processes.ts';
import type { RunningService } from './support/processes.ts';
import { plainChannel } from './support/broker.ts';

describe('the article walkthrough', () => {
  let dataDir: string;
  let accountservice: RunningService;
  let vipservice: RunningService;
  // A queue of this test's own, so notifications of other tests cannot be mistaken for ours.
  const queue = `vip_queue.walkthrough.${randomUUID()}`;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'goblog-walkthrough-'));
    const env = { DATA_DIR: dataDir, VIP_QUEUE: queue, LOG_FORMAT: 'json' };
    [accountservice, vipservice] = await Promise.all([
      startService('accountservice', { port: await freePort(), env }),
      startService('vipservice', { port: await freePort(), env }),
    ]);
  });

  after(async () => {
    await Promise.all([accountservice.stop(), vipservice.stop()]);
    const { connection, channel } = await plainChannel();
    for (const q of [queue, `${queue}.retry`, `${queue}.dlq`])
      await channel.deleteQueue(q).catch(() => undefined);
    await connection.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reading VIP account 10000 makes the vipservice log that notification', async () => {
    const before = Date.now();
    const response = await fetch(`${accountservice.baseUrl}/accounts/10000`);
    assert.equal(response.status, 200);
    const account = (await response.json()) as Record<string, unknown>;
    assert.equal(account.id, '10000');
    assert.equal(account.name, 'Person_0');
    assert.equal(typeof account.servedBy, 'string');

    const line = await vipservice.waitForLine('Got a message:', 15_000);
    const body = /Got a message: (\{.*?\})/.exec(line)?.[1]?.replaceAll('\\"', '"');
    assert.ok(body, `no JSON body in: ${line}`);
    const notification = JSON.parse(body) as { accountId: string; readAt: string };
    assert.equal(notification.accountId, '10000');
    const readAt = Date.parse(notification.readAt);
    assert.ok(
      readAt >= before - 1000 && readAt <= Date.now(),
      `readAt ${notification.readAt} is not this read`,
    );
    assert.equal(notified(vipservice), 1);
  });

  it('reading a non-VIP account sends nothing', async () => {
    const response = await fetch(`${accountservice.baseUrl}/accounts/10001`);
    assert.equal(response.status, 200);
    // The VIP read above was delivered; a further VIP read is the marker that everything before it was handled.
    assert.equal((await fetch(`${accountservice.baseUrl}/accounts/10000`)).status, 200);
    await waitUntil(
      () => notified(vipservice) >= 2,
      15_000,
      () => 'the second VIP notification',
    );
    const bodies = vipservice.lines.filter((l) => l.includes('Got a message:'));
    assert.ok(
      bodies.every((l) => l.includes('10000')),
      'only account 10000 was notified',
    );
  });
});

function notified(service: RunningService): number {
  return service.lines.filter((l) => l.includes('Got a message:')).length;
}
