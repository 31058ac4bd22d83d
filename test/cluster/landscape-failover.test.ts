// The landscape on the three-node cluster: an accountservice and two vipservices (sharing one data_dir) with
// the cluster's three URLs, their VIP queue a quorum queue. Under steady VIP reads, the node the
// accountservice is on is killed -9, and once it is back, a second node (one a vipservice is on, where
// possible). Every VIP read answered 200 is counted exactly once, and every service is UP again by itself
// (the times are reported as figures).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clusterConnection,
  clusterNodeOf,
  clusterUrl,
  deleteClusterQueues,
  startLoad,
  useCluster,
  waitUntil,
} from '@goblog/testkit';
import type { LoadStats, LocalCluster, RunningService } from '@goblog/testkit';
import {
  assertExactlyOnce,
  assertNoUnexpectedExit,
  health,
  notificationsOf,
  waitAllUp,
} from '../reliability/support/checks.ts';
import { reportFigures } from '../reliability/support/figures.ts';
import { startLandscape, type Landscape } from '../reliability/support/landscape.ts';
import { moreVipReads } from '../reliability/support/traffic.ts';

/** The cluster node a service's /health names (its broker check's detail). */
async function nodeOf(service: RunningService): Promise<number | undefined> {
  const h = (await health(service)).body as
    { checks?: { broker?: { detail?: { node?: string } } } } | undefined;
  return clusterNodeOf(h?.checks?.broker?.detail?.node);
}

void describe('the landscape on a cluster: two nodes killed -9 in turn under load', () => {
  let cluster: LocalCluster | undefined;
  let landscape: Landscape | undefined;

  before(async () => {
    cluster = await useCluster();
    landscape = await startLandscape({
      label: 'cluster',
      vipservices: 2,
      env: { AMQP_SERVER_URL: clusterUrl() },
    });
  });
  after(async () => {
    await landscape?.close();
    await cluster?.heal();
    if (landscape) await deleteClusterQueues(landscape.queue);
    await cluster?.release();
  });

  void it(
    'counts every VIP read answered 200 exactly once; every service UP again by itself',
    { timeout: 240_000 },
    async (t) => {
      const l = landscape as Landscape;
      const c = cluster as LocalCluster;
      const load = startLoad({ accountUrl: () => l.accountservice.baseUrl });
      let stats: LoadStats;
      const upAgainMs: number[] = [];
      const killed: number[] = [];
      try {
        await moreVipReads(load, 200);
        const first = await nodeOf(l.accountservice);
        assert.ok(first !== undefined, 'the accountservice names its cluster node on /health');
        await c.kill(first);
        killed.push(first);
        let since = Date.now();
        upAgainMs.push(await waitAllUp(l.all()).then(() => Date.now() - since));
        await moreVipReads(load, 200, 60_000);
        await c.start(first);

        const vipNodes = await Promise.all(l.vipservices.map(nodeOf));
        const second = vipNodes.find((n) => n !== undefined && n !== first) ?? (first % 3) + 1;
        await c.kill(second);
        killed.push(second);
        since = Date.now();
        upAgainMs.push(await waitAllUp(l.all()).then(() => Date.now() - since));
        await moreVipReads(load, 200, 60_000);
        await c.start(second);
        await moreVipReads(load, 100, 60_000);
      } finally {
        stats = await load.stop();
      }

      // Settled: outbox empty, the queue holds nothing, and the offer counts what was answered.
      const admin = await clusterConnection(1);
      let counted = 0;
      try {
        const ch = await admin.createChannel();
        await waitUntil(
          async () => {
            const outbox = ((await health(l.accountservice)).body?.outbox?.depth ?? -1) === 0;
            const ready = (await ch.checkQueue(l.queue)).messageCount;
            counted = await notificationsOf(l.vipservices[0] as RunningService, '10000');
            return outbox && ready === 0 && counted >= stats.vip200;
          },
          60_000,
          () => `the landscape to settle (counted ${counted}/${stats.vip200})`,
        );
      } finally {
        await admin.close();
      }
      assertExactlyOnce(stats, counted);
      assert.deepEqual(stats.otherStatuses, {});
      assertNoUnexpectedExit(l);
      const queue = (await c.queues()).find((q) => q.name === l.queue);
      assert.equal(queue?.type, 'quorum', 'the VIP queue is a quorum queue');
      await reportFigures(t, 'cluster: two nodes killed in turn', {
        sent: stats.sent,
        vip200: stats.vip200,
        counted,
        killedNodes: killed,
        killToAllUpMs: upAgainMs,
        slowestAnswerMs: stats.slowestMs,
      });
    },
  );
});
