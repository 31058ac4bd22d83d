// A jepsen-style check of the messaging package on the three-node cluster: a steady stream of publishes with
// confirms into a quorum queue, each retried with its message id until confirmed (what the outbox does),
// while the node the publisher is on is killed (SIGKILL) and restarted, then the node the consumer is on.
// After healing, the queue is drained and the histories compared: lost (confirmed, never consumed) must be
// 0, unexpected (consumed, never published) 0; duplicates are counted and reported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Type } from 'typebox';
import { connectAmqp, defineMessage, isMessagingError } from '@goblog/messaging';
import type { AmqpTransport, Subscription } from '@goblog/messaging';
import {
  clusterNodeOf,
  clusterUrl,
  deleteClusterQueues,
  uniqueName,
  useCluster,
  waitUntil,
} from '@goblog/testkit';
import type { LocalCluster } from '@goblog/testkit';

const HANG_GUARD_MS = 120_000;
const Ping = Type.Object({ n: Type.Integer() });

void describe('messaging on a cluster: nodes killed mid-stream', () => {
  let cluster: LocalCluster | undefined;
  const queue = uniqueName('cluster.jepsen');
  const transports: AmqpTransport[] = [];

  before(async () => {
    cluster = await useCluster();
  });
  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await cluster?.heal();
    await deleteClusterQueues(queue);
    await cluster?.release();
  });

  void it(
    'loses no confirmed message and invents none across two node kills',
    { timeout: 300_000 },
    async (t) => {
      const c = cluster as LocalCluster;
      const type = defineMessage({
        name: 'Ping',
        schema: Ping,
        destination: { kind: 'queue', queue, queueType: 'quorum' },
      });
      const connect = async (name: string, first: number): Promise<AmqpTransport> => {
        const transport = await connectAmqp({
          url: clusterUrl(first),
          connectionName: name,
          confirmTimeoutMs: 5000,
          publishWaitMs: 5000,
          reconnectDelayMs: { initial: 100, max: 1000 },
        });
        transports.push(transport);
        return transport;
      };
      // Each picks its node at random (both may share one): the first kill hits the publisher's node, the
      // second the consumer's.
      const pubT = await connect('jepsen-publisher', 1);
      const subT = await connect('jepsen-consumer', 2);
      const consumed = new Map<string, number>();
      const sub: Subscription = await subT.subscribeToQueue(
        type,
        (_message, meta) => {
          const id = meta.messageId ?? 'none';
          consumed.set(id, (consumed.get(id) ?? 0) + 1);
          return Promise.resolve();
        },
        { consumerName: 'jepsen', prefetch: 100 },
      );

      const publisher = pubT.createPublisher();
      const attempted = new Set<string>();
      const confirmed = new Set<string>();
      const failures = new Map<string, number>();
      const publishUntilConfirmed = async (n: number): Promise<void> => {
        const id = `jepsen-${n}`;
        attempted.add(id);
        for (let attempt = 1; attempt <= 50; attempt++) {
          try {
            await publisher.publish(type, { n }, { messageId: id });
            confirmed.add(id);
            return;
          } catch (err) {
            const code = isMessagingError(err) ? err.code : 'OTHER';
            failures.set(code, (failures.get(code) ?? 0) + 1);
            await delay(100);
          }
        }
      };

      // A paced stream (batches of 20 every 50 ms) until the faults are over.
      const run = { streaming: true };
      const inFlight = new Set<Promise<void>>();
      let next = 0;
      const stream = (async () => {
        while (run.streaming) {
          // At most 200 messages on their way: a stream, not a flood of retries.
          for (let i = 0; i < 20 && inFlight.size < 200; i++) {
            const p = publishUntilConfirmed(next++);
            inFlight.add(p);
            void p.finally(() => inFlight.delete(p));
          }
          await delay(50);
        }
      })();
      const confirmedAtLeast = (count: number, what: string) => {
        return waitUntil(
          () => confirmed.size >= count,
          HANG_GUARD_MS,
          () =>
            `${count} confirmed (${what}; ${confirmed.size} so far, failures ${JSON.stringify(Object.fromEntries(failures))})`,
        );
      };
      const nodesSeen: { publisher: number[]; consumer: number[] } = { publisher: [], consumer: [] };
      let killToFirstConfirmMs = -1;
      try {
        await confirmedAtLeast(500, 'before the first kill');
        const pubNode = clusterNodeOf(pubT.node);
        assert.ok(pubNode !== undefined, 'the publisher is on a node of the cluster');
        nodesSeen.publisher.push(pubNode);
        await c.kill(pubNode);
        const killedAt = performance.now();
        let base = confirmed.size;
        await confirmedAtLeast(base + 1, 'after the first kill');
        killToFirstConfirmMs = Math.round(performance.now() - killedAt);
        await confirmedAtLeast(base + 500, 'while node is down');
        await c.start(pubNode);

        const subNode = clusterNodeOf(subT.node);
        assert.ok(subNode !== undefined, 'the consumer is on a node of the cluster');
        nodesSeen.consumer.push(subNode);
        base = confirmed.size;
        await c.kill(subNode);
        await confirmedAtLeast(base + 500, 'while the second node is down');
        await c.start(subNode);
        base = confirmed.size;
        await confirmedAtLeast(base + 500, 'after healing');
      } finally {
        run.streaming = false;
      }
      await stream;
      await Promise.all([...inFlight]);
      nodesSeen.publisher.push(clusterNodeOf(pubT.node) ?? 0);
      nodesSeen.consumer.push(clusterNodeOf(subT.node) ?? 0);

      // Drain: every confirmed message consumed (bounded), the consumer attached again by itself.
      await waitUntil(
        () => [...confirmed].every((id) => consumed.has(id)),
        HANG_GUARD_MS,
        () =>
          `the drain (${[...confirmed].filter((id) => !consumed.has(id)).length} confirmed not yet consumed)`,
      );
      const lost = [...confirmed].filter((id) => !consumed.has(id));
      const unexpected = [...consumed.keys()].filter((id) => !attempted.has(id));
      const duplicates = [...consumed.values()].reduce((sum, n) => sum + n - 1, 0);
      t.diagnostic(
        `published ${attempted.size}, confirmed ${confirmed.size}, consumed ${consumed.size} distinct, ` +
          `duplicates ${duplicates}, lost ${lost.length}, unexpected ${unexpected.length}, ` +
          `publish failures retried ${JSON.stringify(Object.fromEntries(failures))}, ` +
          `kill to first confirm ${killToFirstConfirmMs} ms, nodes publisher ${nodesSeen.publisher.join('->')}, ` +
          `consumer ${nodesSeen.consumer.join('->')}`,
      );
      assert.equal(
        confirmed.size,
        attempted.size,
        'every publish confirmed in the end (retried with its id)',
      );
      assert.deepEqual(lost, []);
      assert.deepEqual(unexpected, []);
      assert.notEqual(
        nodesSeen.publisher[1],
        nodesSeen.publisher[0],
        'the publisher failed over to another node',
      );
      assert.notEqual(
        nodesSeen.consumer[1],
        nodesSeen.consumer[0],
        'the consumer failed over to another node',
      );
      assert.equal(sub.consuming, true, 'the consumer is attached again');
    },
  );
});
