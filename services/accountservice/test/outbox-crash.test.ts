import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningService } from '../../../test/support/processes.js';
import { plainChannel } from '../../../test/support/broker.js';
import {
  accountIds,
  health,
  readAccount,
  startAccountservice,
  tempDir,
  waitUntilDrained,
} from './support/service.js';
import { deleteVipQueue, takeAll, uniqueVipQueue } from './support/vip-queue.js';

/** Per account id, how often it occurs. */
function tally(ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

void describe('the outbox across a crash (kill -9)', () => {
  let dir: string;
  let cleanup: () => void;
  const queues: string[] = [];
  let service: RunningService | undefined;

  before(() => {
    ({ dir, cleanup } = tempDir());
  });

  after(async () => {
    await service?.kill();
    for (const q of queues) await deleteVipQueue(q);
    cleanup();
  });

  void it('delivers, after a restart, every notification whose request got a 200', async () => {
    const queue = uniqueVipQueue();
    queues.push(queue);
    const ids = accountIds(50);
    // Hold the relay back until the crash: the queue already exists and refuses every message
    // (max length 0, reject-publish), so the broker nacks each publish and every notification stays in
    // the outbox.
    const { connection, channel } = await plainChannel();
    await channel.assertQueue(queue, {
      durable: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    await channel.close();
    await connection.close();

    service = await startAccountservice({ dataDir: dir, vipQueue: queue, vipIds: ids });
    const statuses = await Promise.all(ids.map((id) => readAccount(service as RunningService, id)));
    assert.deepEqual(new Set(statuses), new Set([200]));
    const { body } = await health(service);
    assert.equal(body.outbox.depth, ids.length);

    await service.kill();
    await deleteVipQueue(queue);
    service = await startAccountservice({ dataDir: dir, vipQueue: queue, vipIds: ids });
    await waitUntilDrained(service);

    const received = await takeAll(queue);
    assert.deepEqual(received.map((m) => m.accountId).sort(), ids);
    assert.equal(new Set(received.map((m) => m.messageId)).size, ids.length);
  });

  void it('delivers a burst answered right before kill -9, each notification under its own message id', async () => {
    await service?.kill();
    const queue = uniqueVipQueue();
    queues.push(queue);
    const ids = accountIds(100);
    service = await startAccountservice({ dataDir: dir, vipQueue: queue, vipIds: ids });
    const reads = [...ids, ...ids, ...ids];
    const statuses = await Promise.all(reads.map((id) => readAccount(service as RunningService, id)));
    await service.kill();
    const answered = reads.filter((_, i) => statuses[i] === 200);
    assert.equal(answered.length, reads.length);

    service = await startAccountservice({ dataDir: dir, vipQueue: queue, vipIds: ids });
    await waitUntilDrained(service);
    const received = await takeAll(queue);
    // A crash between the broker's confirm and the deletion resends an entry: same message id, so the
    // distinct message ids are the notifications.
    const distinct = new Map(received.map((m) => [m.messageId, m.accountId]));
    assert.deepEqual(tally([...distinct.values()]), tally(answered));
  });
});
