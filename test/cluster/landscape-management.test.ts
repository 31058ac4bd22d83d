// The landscape page on the three-node cluster with the nodes' management API on (`npm run cluster -- up`
// enables it on 15681..15683): what only the management API can tell. The broker's nodes, the quorum
// vip_queue's leader and members, unacknowledged counts, publish and deliver rates that rise under VIP
// reads and fall back to zero once they stop; and, the queue's leader node killed -9, the view going on
// through another node's API, with that node shown down and the new leader. The broker's own CLI
// (`npm run cluster -- queues`) is the reference.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  clusterManagementUrl,
  clusterUrl,
  deleteClusterBus,
  deleteClusterQueues,
  useCluster,
} from '@goblog/testkit';
import type { LocalCluster, RunningService } from '@goblog/testkit';
import { landscapeFixture } from '../../services/landscape/test/support/fixture.ts';
import type { LandscapeFixture } from '../../services/landscape/test/support/fixture.ts';
import type { RunningLandscape } from '../../services/landscape/test/support/landscape.ts';
import type { LandscapeSnapshot } from '../../services/landscape/src/collector.ts';

const NODES = ['goblog-1@localhost', 'goblog-2@localhost', 'goblog-3@localhost'];
/** VIP reads per burst, and bursts at most: bounded traffic, enough for the broker's rate samples. */
const READS_PER_BURST = 20;
const MAX_BURSTS = 200;

void describe('the landscape page on the cluster, with the management API', () => {
  let cluster: LocalCluster | undefined;
  let fixture: LandscapeFixture | undefined;
  let page: RunningLandscape;
  let accountservice: RunningService;

  before(async () => {
    cluster = await useCluster();
    const management = await fetch(`${clusterManagementUrl(1)}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
    }).catch((err: unknown) => err as Error);
    assert.ok(
      !(management instanceof Error) && management.status === 200,
      'the cluster runs without its management plugin (brought up with GOBLOG_CLUSTER_MANAGEMENT=0?): ' +
        '`npm run cluster -- down` and `up` again',
    );
    await management.arrayBuffer();
    fixture = landscapeFixture('landscape.management', {
      url: clusterUrl(),
      deleteQueues: deleteClusterQueues,
      deleteBus: deleteClusterBus,
    });
    // The vipservice first: it declares the quorum queues, then its consumer is attached.
    await fixture.service('vipservice');
    accountservice = await fixture.service('accountservice');
    // Every node's API, the queue leader's first: the view must go on when that node goes.
    leaderNode = NODES.indexOf((await reference())?.leader ?? '') + 1;
    assert.ok(leaderNode > 0, 'the work queue has a leader');
    const order = [leaderNode, (leaderNode % 3) + 1, ((leaderNode + 1) % 3) + 1];
    page = await fixture.landscape({
      env: { MANAGEMENT_URL: order.map((n) => clusterManagementUrl(n)).join(',') },
    });
  });

  after(async () => {
    await fixture?.cleanup();
    await cluster?.heal();
    await cluster?.release();
  });

  let leaderNode = 0;
  const reference = async () => (await cluster?.queues())?.find((q) => q.name === fixture?.queue);

  const workQueue = (s: LandscapeSnapshot) => s.queues.find((q) => q.name === fixture?.queue);

  void it('shows the broker nodes and the cluster, from the management API', async () => {
    const s = await page.waitFor(
      (x) => x.broker.management.available && x.broker.nodes.length === NODES.length,
      'the management API seen, with three nodes',
    );
    assert.deepEqual(
      s.broker.nodes.map((n) => [n.name, n.running]),
      NODES.map((n) => [n, true]),
    );
    assert.equal(s.broker.management.url, clusterManagementUrl(leaderNode), "the leader's node first");
    assert.equal(s.broker.management.reason, null);
    assert.equal(typeof s.broker.clusterName, 'string');
    assert.doesNotMatch(JSON.stringify(s.broker), /guest:guest/, 'no credentials in the snapshot');
  });

  void it("shows vip_queue as a quorum queue with the broker's leader and members", async () => {
    const s = await page.waitFor((x) => workQueue(x)?.leader != null, 'the work queue with a leader');
    const listed = await reference();
    assert.ok(listed, 'the queue as rabbitmqctl lists it');
    for (const q of s.queues) {
      assert.equal(q.type, 'quorum', `${q.name}: type`);
      assert.deepEqual([...(q.members ?? [])].sort(), NODES, `${q.name}: members`);
      assert.ok(NODES.includes(q.leader ?? ''), `${q.name}: leader ${String(q.leader)}`);
      assert.equal(q.messagesUnacknowledged, 0, `${q.name}: unacknowledged`);
    }
    const work = workQueue(s);
    assert.equal(work?.leader, listed.leader, 'the leader rabbitmqctl names');
    assert.equal(work?.consumers, 1);
  });

  void it('shows publish and deliver rates that rise under VIP reads and fall back once they stop', async () => {
    let bursts = 0;
    const read = async (): Promise<void> => {
      for (let i = 0; i < READS_PER_BURST; i++) {
        const response = await fetch(`${accountservice.baseUrl}/accounts/10000`);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      bursts++;
    };
    // Reads go on between two looks until the broker's rates show them (it samples every few seconds).
    let moving: LandscapeSnapshot | undefined;
    while (moving === undefined) {
      assert.ok(bursts < MAX_BURSTS, `no rate after ${bursts * READS_PER_BURST} VIP reads`);
      await read();
      const s = await page.snapshot();
      const q = workQueue(s);
      if ((q?.publishRate ?? 0) > 0 && (q?.deliverRate ?? 0) > 0) moving = s;
    }
    const q = workQueue(moving);
    assert.ok(q);
    // The rates on the paths of the drawing, from the instances' own counters, move with them.
    const sent = moving.services.find((x) => x.name === 'accountservice')?.instances[0]?.rates;
    assert.ok((sent?.notificationsSent ?? 0) > 0, `notificationsSent rate: ${JSON.stringify(sent)}`);

    const still = await page.waitFor(
      (x) => workQueue(x)?.publishRate === 0 && workQueue(x)?.deliverRate === 0,
      'the rates back to 0 once the reads stopped',
      60_000,
    );
    assert.equal(workQueue(still)?.messages, 0, 'every notification consumed');
  });

  void it("goes on through another node's API once the leader's node is killed -9", async () => {
    const killed = NODES[leaderNode - 1] ?? '';
    await cluster?.kill(leaderNode);
    const s = await page.waitFor(
      (x) =>
        x.broker.management.available &&
        x.broker.nodes.some((n) => n.name === killed && !n.running) &&
        NODES.includes(workQueue(x)?.leader ?? killed) &&
        workQueue(x)?.leader !== killed,
      `${killed} shown down and a new leader, through another node's API`,
      60_000,
    );
    assert.notEqual(s.broker.management.url, clusterManagementUrl(leaderNode), 'another node answered');
    assert.deepEqual([...(workQueue(s)?.members ?? [])].sort(), NODES, 'the members stay the three');
    assert.equal((await reference())?.leader, workQueue(s)?.leader, 'the new leader rabbitmqctl names');
    await cluster?.start(leaderNode);
    await page.waitFor(
      (x) => x.broker.nodes.every((n) => n.running),
      `${killed} shown running again`,
      60_000,
    );
  });
});
