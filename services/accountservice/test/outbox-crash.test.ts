import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteQueues, plainChannel, refusePublishesTo, tempDir } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { accountIds, health, readAccount, startAccountservice, waitUntilDrained } from './support/service.js';
import { takeAll, uniqueVipQueue } from './support/vip-queue.js';

/** Per account id, how often it occurs. */
function tally(ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

/** The outbox depth a freshly started accountservice found on disk (its 'account store open' line). */
async function depthFoundAtStart(service: RunningService): Promise<number> {
  const line = await service.waitForLine('account store open');
  const depth = /"outboxDepth":(\d+)/.exec(line)?.[1];
  assert.ok(depth !== undefined, `no outboxDepth in: ${line}`);
  return Number(depth);
}

void describe('the outbox across a crash (kill -9)', () => {
  // Each test has its own data_dir and queue, so nothing one leaves behind reaches another's tally.
  const cleanups: (() => unknown)[] = [];
  let service: RunningService | undefined;

  afterEach(async () => {
    await service?.kill();
    service = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the cleanups after it still run.
      }
    }
  });

  /** A data_dir and a VIP queue of the test's own, removed after it. */
  const fresh = (): { dir: string; queue: string } => {
    const { dir, cleanup } = tempDir('accountservice-proc');
    const queue = uniqueVipQueue();
    cleanups.push(cleanup);
    cleanups.push(() => deleteQueues(queue));
    return { dir, queue };
  };
  const start = (dir: string, queue: string, ids: readonly string[]): Promise<RunningService> =>
    // A classic queue: the refusal below (max-length 0, reject-publish) is exact on one, while a quorum queue
    // checks its limit after the enqueue and takes one message in.
    startAccountservice({
      dataDir: dir,
      vipQueue: queue,
      vipIds: ids,
      env: { LOG_FORMAT: 'json', WORK_QUEUE_TYPE: 'classic' },
    });

  void it('delivers, after a restart, every notification whose request got a 200', async () => {
    const { dir, queue } = fresh();
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

    service = await start(dir, queue, ids);
    const statuses = await Promise.all(ids.map((id) => readAccount(service as RunningService, id)));
    assert.deepEqual(new Set(statuses), new Set([200]));
    const { body } = await health(service);
    assert.equal(body.outbox.depth, ids.length);

    await service.kill();
    await deleteQueues(queue);
    service = await start(dir, queue, ids);
    assert.equal(await depthFoundAtStart(service), ids.length);
    await waitUntilDrained(service);

    const received = await takeAll(queue);
    assert.deepEqual(received.map((m) => m.accountId).sort(), ids);
    assert.equal(new Set(received.map((m) => m.messageId)).size, ids.length);
  });

  void it('delivers a burst answered right before kill -9, each notification under its own message id', async () => {
    const { dir, queue } = fresh();
    const ids = accountIds(100);
    service = await start(dir, queue, ids);
    const read = async (reads: readonly string[]): Promise<string[]> => {
      const statuses = await Promise.all(reads.map((id) => readAccount(service as RunningService, id)));
      const answered = reads.filter((_, i) => statuses[i] === 200);
      assert.equal(answered.length, reads.length, 'every read answered 200');
      return answered;
    };

    // A first burst gets through to the queue (taken out of it now: a max-length policy would trim it)...
    const delivered = await read(ids);
    await waitUntilDrained(service);
    const before = await takeAll(queue);
    // ...the second is answered while the broker refuses it, so at the kill it is in the outbox and nowhere
    // else: the crash provably lands with notifications pending, whatever the relay's speed.
    const lift = await refusePublishesTo(queue);
    cleanups.push(lift);
    const pending = await read([...ids, ...ids]);
    assert.equal((await health(service)).body.outbox.depth, pending.length);
    await service.kill();
    await lift();

    service = await start(dir, queue, ids);
    assert.equal(await depthFoundAtStart(service), pending.length);
    await waitUntilDrained(service);
    const received = [...before, ...(await takeAll(queue))];
    // A crash between the broker's confirm and the deletion resends an entry: same message id, so the
    // distinct message ids are the notifications.
    const distinct = new Map(received.map((m) => [m.messageId, m.accountId]));
    assert.deepEqual(tally([...distinct.values()]), tally([...delivered, ...pending]));
  });
});
