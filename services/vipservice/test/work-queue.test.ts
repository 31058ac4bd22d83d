import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '@goblog/testkit';
import { publishNotifications } from './support/publish.js';
import {
  getOffer,
  gotMessageLines,
  notificationsOf,
  offerInStore,
  readyIn,
  startVipservice,
  waitForNotifications,
  waitForReady,
} from './support/vip.js';
import { useVipProcesses } from './support/processes.js';

void describe('vipservice instances on one work queue', () => {
  const procs = useVipProcesses();

  void it('split 200 notifications between two instances and count exactly 200 in their shared store', async () => {
    const queue = procs.queue();
    const dataDir = procs.dataDir('two');
    const a = await startVipservice({ dataDir, queue });
    const b = await startVipservice({ dataDir, queue });
    procs.track(a, b);

    await publishNotifications(queue, 200);
    await waitForNotifications(a, '10000', 200);
    // The log lines come through the processes' stdout pipes, which may lag behind the store's count.
    const lines = (): number => gotMessageLines(a).length + gotMessageLines(b).length;
    await waitUntil(
      () => lines() >= 200,
      30_000,
      () => `200 "Got a message" lines (${lines()} so far)`,
    );

    const byA = gotMessageLines(a).length;
    const byB = gotMessageLines(b).length;
    assert.ok(byA > 0 && byB > 0, `work split ${byA}/${byB}`);
    assert.equal(byA + byB, 200);
    // Either instance serves the shared store.
    const fromA = (await getOffer(a, '10000')).offer;
    const fromB = (await getOffer(b, '10000')).offer;
    assert.equal(fromA?.notifications, 200);
    assert.deepEqual(fromB, fromA);
    assert.equal(fromA.lastReadAt, new Date(Date.parse('2024-01-01T00:00:00Z') + 199_000).toISOString());

    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
    assert.equal(await readyIn(queue), 0);
    assert.equal((await offerInStore(dataDir, '10000'))?.notifications, 200);
  });

  void it('after kill -9 in the middle of a backlog and a restart, counts every notification exactly once', async () => {
    const queue = procs.queue();
    const dataDir = procs.dataDir('crash');
    const sent = 5000;
    await publishNotifications(queue, sent);
    await waitForReady(queue, sent);

    // A small prefetch makes the victim slow enough to be caught in the middle of the backlog.
    const victim = await startVipservice({ dataDir, queue, env: { CONSUMER_PREFETCH: '4' } });
    procs.track(victim);
    await waitUntil(
      async () => (await notificationsOf(victim, '10000')) >= 50,
      30_000,
      () => 'the first commits',
    );
    await victim.kill();
    const countedBeforeRestart = (await offerInStore(dataDir, '10000'))?.notifications ?? 0;
    assert.ok(countedBeforeRestart < sent, `the victim finished the backlog before it was killed`);

    const successor = await startVipservice({ dataDir, queue });
    procs.track(successor);
    await waitForNotifications(successor, '10000', sent, 120_000);
    assert.equal(await successor.stop(), 0);
    // Everything was acked, and nothing was counted twice: not the messages in flight at the kill, whose
    // changes may have been committed before their ack was lost.
    assert.equal(await readyIn(queue), 0);
    assert.equal((await offerInStore(dataDir, '10000'))?.notifications, sent);
  });
});
