// Exactly once across the one crash window at-least-once delivery leaves open: the vipservice committed the
// notification and dies before its ack reaches the broker. The broker redelivers; the dedup record must make
// the redelivery a no-op, counted as a duplicate. The window is forced, not hoped for: the service talks to
// the broker through a proxy that stops forwarding what the service sends (its ack) before the message is
// published, and the test kills the service once the commit is visible on /offers.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BROKER_URL, deleteQueues, metricValue, startBrokerProxy, tempDir, waitUntil } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { publishNotifications } from './support/publish.js';
import {
  notificationsOf,
  readyIn,
  startVipservice,
  uniqueVipQueue,
  waitForNotifications,
} from './support/vip.js';

const duplicates = (s: RunningService): Promise<number> =>
  metricValue(s.baseUrl, 'vipservice_notifications_total', 'outcome="duplicate"');
const recorded = (s: RunningService): Promise<number> =>
  metricValue(s.baseUrl, 'vipservice_notifications_total', 'outcome="recorded"');

void describe('a vipservice killed after its commit and before its ack', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the cleanups after it still run.
      }
    }
  });

  void it('counts the notification once; the redelivery is absorbed as a duplicate', async () => {
    const { dir, cleanup } = tempDir('vipservice-proc');
    cleanups.push(cleanup);
    const queue = uniqueVipQueue();
    cleanups.push(() => deleteQueues(queue));
    const proxy = await startBrokerProxy(BROKER_URL);
    cleanups.push(() => proxy.close());

    const first = await startVipservice({
      dataDir: dir,
      queue,
      env: { AMQP_SERVER_URL: proxy.urlFor(BROKER_URL) },
    });
    cleanups.push(() => first.kill());
    // Healthy means consuming: from here on nothing the service sends reaches the broker, its ack included.
    proxy.dropClientBytes();
    await publishNotifications(queue, 1, '10000');
    // The offer counts it: the commit happened (the handler acks only after it)...
    await waitForNotifications(first, '10000', 1, 30_000);
    // The counter follows the commit (it is counted once the transaction is done), so it is awaited too.
    await waitUntil(
      async () => (await recorded(first)) === 1,
      30_000,
      () => 'the notification recorded',
    );
    // ...and whether or not its ack is written by now, it is held here: the broker still has the message,
    // unacknowledged, and requeues it when the connection drops.
    await first.kill();
    await proxy.close();

    const second = await startVipservice({ dataDir: dir, queue });
    cleanups.push(async () => {
      await second.stop().catch(() => second.kill());
    });
    await waitUntil(
      async () => (await duplicates(second)) === 1,
      30_000,
      () => 'the duplicate counted',
    );
    assert.equal(await recorded(second), 0, 'the redelivery recorded nothing');
    assert.equal(await notificationsOf(second, '10000'), 1, 'the offer counts the notification once');
    const redelivered = second.lines.filter((l) => l.includes('Got a message:'));
    assert.equal(redelivered.length, 1);
    assert.ok(
      second.lines.some((l) => l.includes('duplicate notification: already counted')),
      'the duplicate is logged',
    );
    // Acked this time: once the consumer is gone, nothing is left in the queue.
    assert.equal(await second.stop(), 0);
    assert.equal(await readyIn(queue), 0);
  });
});
