// The cluster's costs, side by side in one run (bench/messaging/ does the work):
// - cluster-publish / cluster-consume: quorum queues on the three-node cluster (`npm run cluster`), through
//   the package against raw amqplib doing the same work on the same node;
// - quorum-publish-cost: the package publishing into a quorum queue against a classic one, on the single
//   broker (what replication costs even with one member);
// - cluster-kill-to-confirm: from the moment a publisher sees its node die (SIGKILL) to its first confirmed
//   publish after it (on another node), with a steady stream going; no baseline.
import { Type } from 'typebox';
import { connectAmqp, defineMessage } from '@goblog/messaging';
import {
  BROKER_URL,
  clusterNodeOf,
  clusterNodeUrl,
  clusterUrl,
  deleteClusterQueues,
  uniqueName,
  useCluster,
} from '@goblog/testkit';
import type { LocalCluster } from '@goblog/testkit';
import { benchConsume } from '../messaging/consume.ts';
import type { ScenarioResult } from '../messaging/measure.ts';
import { benchPublish } from '../messaging/publish.ts';
import { median } from '../lib/stats.ts';
import type { Row } from '../lib/report.ts';

const cpu = (r: ScenarioResult): string =>
  `CPU ${r.ours.cpuUsPerMsg.toFixed(1)} vs ${r.baseline.cpuUsPerMsg.toFixed(1)} us/msg`;

function versusRaw(scenario: string, r: ScenarioResult, note: string): Row {
  return {
    scenario,
    unit: 'msg/s',
    ours: r.ours.msgsPerSec,
    baseline: r.baseline.msgsPerSec,
    baselineName: 'raw amqplib',
    target: 0.9,
    notes: `${cpu(r)}; ${note}`,
  };
}

/** Kill-to-first-confirm of one publisher streaming on the cluster; the node is started again after. */
async function killToConfirm(cluster: LocalCluster): Promise<number> {
  const queue = uniqueName('bench.cluster.kill');
  const type = defineMessage({
    name: 'BenchKill',
    schema: Type.Object({ n: Type.Integer() }),
    destination: { kind: 'queue', queue, queueType: 'quorum' },
  });
  const t = await connectAmqp({
    url: clusterUrl(),
    connectionName: 'bench-kill',
    confirmTimeoutMs: 5000,
    reconnectDelayMs: { initial: 100, max: 1000 },
  });
  // From the moment the publisher sees its connection drop (a SIGKILL resets the sockets at once), not from
  // the kill command's return, which comes later.
  let killedAt: number | undefined;
  let firstAfter: number | undefined;
  const unsubscribe = t.onStateChange((state) => {
    if (state === 'disconnected') killedAt ??= performance.now();
  });
  const run = { streaming: true };
  const pub = t.createPublisher();
  const stream = (async () => {
    for (let n = 0; run.streaming; n++) {
      // One at a time: the first confirm after the kill is measured, not a batch written before it.
      await pub.publish(type, { n }).then(
        () => {
          if (killedAt !== undefined) firstAfter ??= performance.now();
        },
        () => undefined,
      );
    }
  })();
  const node = clusterNodeOf(t.node);
  try {
    if (node === undefined) throw new Error('the publisher is on no cluster node');
    await pub.publish(type, { n: -1 });
    await cluster.kill(node);
    const deadline = performance.now() + 60_000;
    while (firstAfter === undefined && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (firstAfter === undefined || killedAt === undefined)
      throw new Error('no confirm within 60 s of the kill');
    return firstAfter - killedAt;
  } finally {
    run.streaming = false;
    unsubscribe();
    await stream;
    await t.close();
    if (node !== undefined) await cluster.start(node);
    await deleteClusterQueues(queue);
  }
}

export async function benchCluster(options: { rounds: number; messages: number }): Promise<Row[]> {
  const cluster = await useCluster();
  try {
    const onCluster = { ...options, url: clusterNodeUrl(1), queueType: 'quorum' as const };
    const publish = await benchPublish(onCluster);
    const consume = await benchConsume(onCluster);
    const quorum = await benchPublish({ ...options, url: BROKER_URL, queueType: 'quorum' });
    const classic = await benchPublish({ ...options, url: BROKER_URL, queueType: 'classic' });
    const kills: number[] = [];
    for (let r = 0; r < options.rounds; r++) kills.push(await killToConfirm(cluster));
    return [
      versusRaw('cluster-publish', publish, 'quorum queue on 3 nodes, both sides on node 1'),
      versusRaw('cluster-consume', consume, 'quorum queue on 3 nodes, both sides on node 1'),
      {
        scenario: 'quorum-publish-cost',
        unit: 'msg/s',
        ours: quorum.ours.msgsPerSec,
        baseline: classic.ours.msgsPerSec,
        baselineName: 'classic queue',
        notes: `the package on the single broker; CPU ${quorum.ours.cpuUsPerMsg.toFixed(1)} vs ${classic.ours.cpuUsPerMsg.toFixed(1)} us/msg`,
      },
      {
        scenario: 'cluster-kill-to-confirm',
        unit: 'ms',
        ours: median(kills),
        notes: `SIGKILL of the publisher's node to its first confirm on another; rounds ${kills.map((k) => k.toFixed(0)).join(', ')} ms`,
      },
    ];
  } finally {
    await cluster.release();
  }
}
