// A message that kills its consumer every time it is delivered (here the handler ends its own process with
// SIGKILL: no code of ours runs after it, no nack, no retry path; the broker only sees the connection drop)
// is dead-lettered by the quorum queue after the delivery limit, into <queue>.dlq, instead of looping;
// valid messages around it keep flowing. The consumer is supervised like a service under systemd: started
// again each time it dies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from 'typebox';
import { connectAmqp, defineMessage } from '@goblog/messaging';
import type { AmqpTransport } from '@goblog/messaging';
import {
  clusterConnection,
  clusterUrl,
  deleteClusterQueues,
  spawnNode,
  uniqueName,
  useCluster,
  waitUntil,
} from '@goblog/testkit';
import type { LocalCluster, NodeProcess } from '@goblog/testkit';

const DELIVERY_LIMIT = 2;
const VALID = 20;
const Job = Type.Object({ n: Type.Integer(), poison: Type.Optional(Type.Boolean()) });

/** The consumer process: quorum work queue with the delivery limit, one message at a time. */
const CONSUMER = `
const { connectAmqp, defineMessage } = await import('@goblog/messaging');
const { Type } = await import('typebox');
const t = await connectAmqp({ url: process.env.URL, connectionName: 'poison-consumer', queueType: 'quorum',
  deliveryLimit: Number(process.env.LIMIT) });
const type = defineMessage({ name: 'Job', destination: { kind: 'queue', queue: process.env.QUEUE },
  schema: Type.Object({ n: Type.Integer(), poison: Type.Optional(Type.Boolean()) }) });
await t.subscribeToQueue(type, async (m) => {
  if (m.poison) { process.stdout.write('crashing\\n'); process.kill(process.pid, 'SIGKILL'); }
  process.stdout.write('handled ' + m.n + '\\n');
}, { consumerName: 'poison-test', prefetch: 1 });
process.stdout.write('attached\\n');
`;

void describe('a message that kills its consumer every time, on a quorum queue', () => {
  let cluster: LocalCluster | undefined;
  const queue = uniqueName('cluster.poison');
  let transport: AmqpTransport | undefined;
  let consumer: NodeProcess | undefined;
  const state = { supervising: true };
  /** Read through a function: the flag changes across awaits, which narrowing does not see. */
  const isSupervising = (): boolean => state.supervising;

  before(async () => {
    cluster = await useCluster();
  });
  after(async () => {
    state.supervising = false;
    await consumer?.kill();
    await transport?.close();
    await deleteClusterQueues(queue);
    await cluster?.release();
  });

  void it(
    'is parked in the dead-letter queue after the delivery limit; the others flow',
    { timeout: 180_000 },
    async (t) => {
      const type = defineMessage({ name: 'Job', schema: Job, destination: { kind: 'queue', queue } });
      transport = await connectAmqp({
        url: clusterUrl(),
        connectionName: 'poison-publisher',
        queueType: 'quorum',
        deliveryLimit: DELIVERY_LIMIT,
      });
      const publisher = transport.createPublisher();
      await publisher.declare(type);

      const handled = new Set<number>();
      let crashes = 0;
      let starts = 0;
      const supervise = async (): Promise<void> => {
        while (state.supervising) {
          starts++;
          const p = spawnNode(
            ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', CONSUMER],
            {
              label: 'poison-consumer',
              env: { URL: clusterUrl(), QUEUE: queue, LIMIT: String(DELIVERY_LIMIT) },
            },
          );
          consumer = p;
          const code = await p.exited;
          for (const line of p.lines) {
            const m = /^handled (\d+)$/.exec(line);
            if (m?.[1] !== undefined) handled.add(Number(m[1]));
          }
          if (p.lines.includes('crashing')) crashes++;
          else if (isSupervising())
            throw new Error(`the consumer exited (${String(code)}): ${p.lines.join('\n')}`);
        }
      };
      const supervisor = supervise();
      void supervisor.catch(() => undefined);

      for (let n = 0; n < VALID; n++) await publisher.publish(type, { n });
      await publisher.publish(type, { n: -1, poison: true }, { messageId: 'the-poison' });
      for (let n = VALID; n < 2 * VALID; n++) await publisher.publish(type, { n });

      const admin = await clusterConnection(1);
      try {
        const ch = await admin.createChannel();
        await waitUntil(
          async () => (await ch.checkQueue(`${queue}.dlq`)).messageCount === 1,
          120_000,
          () => `the poison in ${queue}.dlq (crashes so far ${crashes})`,
        );
        const parked = await ch.get(`${queue}.dlq`, { noAck: true });
        assert.ok(parked !== false);
        assert.equal(parked.properties.messageId, 'the-poison');
        const deaths = parked.properties.headers?.['x-death'] as
          { reason?: string; queue?: string }[] | undefined;
        assert.equal(deaths?.[0]?.reason, 'delivery_limit');
        assert.equal(deaths[0].queue, queue);

        // Every valid message is handled: those after the poison too, by the consumer started again.
        const live = (): Set<number> => {
          const all = new Set(handled);
          for (const line of consumer?.lines ?? []) {
            const m = /^handled (\d+)$/.exec(line);
            if (m?.[1] !== undefined) all.add(Number(m[1]));
          }
          return all;
        };
        await waitUntil(
          () => live().size === 2 * VALID,
          60_000,
          () => `${2 * VALID} valid handled (${live().size})`,
        );
        assert.equal((await ch.checkQueue(`${queue}.dlq`)).messageCount, 0, 'nothing else was parked');
        assert.ok(crashes >= DELIVERY_LIMIT, `the poison killed its consumer ${crashes} times`);
        t.diagnostic(
          `delivery limit ${DELIVERY_LIMIT}: ${crashes} crashes, ${starts} consumer starts, then parked`,
        );
      } finally {
        await admin.close();
      }
    },
  );
});
