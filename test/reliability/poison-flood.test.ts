// Scenario 6: a poison flood. A plain AMQP client (amqplib, no @goblog code) puts 1,000 malformed messages
// on the vipservice's queue while valid notifications keep flowing. Every one of them must end up in
// `<queue>.dlq` with its reason, every valid notification must be counted exactly once, and the consumer
// must go quiet afterwards (no redelivery loop burning CPU).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { plainChannel, queueDepth, waitUntil } from '@goblog/testkit';
import { cpuSeconds, metric, waitAllUp } from './support/checks.ts';
import { steadyStreamScenario } from './support/scenario.ts';
import { moreVipReads } from './support/traffic.ts';

const POISON = 1000;
const QUIET_MS = 3000;

/** Kinds of garbage: not JSON, JSON of the wrong shape, wrong types, oversized, binary, deeply nested. */
const KINDS: readonly (() => Buffer)[] = [
  () => Buffer.from('not json at all'),
  () => Buffer.alloc(0),
  () => Buffer.from('{"accountId":"10000"'),
  () => Buffer.from('{"accountId":"10000"}'),
  () => Buffer.from('{"accountId":10000,"readAt":"2024-05-01T10:00:00Z"}'),
  () => Buffer.from('{"accountId":"10000","readAt":"yesterday"}'),
  () => Buffer.from('{"accountId":"10000","readAt":"2017-02-30 20:06:27 +0000 UTC"}'),
  () => Buffer.from('null'),
  () => Buffer.from('[]'),
  () => Buffer.from('"10000"'),
  () => randomBytes(64),
  () => Buffer.from(`{"accountId":"${'1'.repeat(50)}","readAt":"2024-05-01T10:00:00Z"}`),
  () => Buffer.from(`{"accountId":"10000","readAt":"${'9'.repeat(64 * 1024)}"}`),
  () => Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  () => Buffer.from('{"__proto__":{"polluted":true},"accountId":"10000","readAt":"never"}'),
  () => Buffer.from('\uFEFF{"accountId":"10000","readAt":"2024-05-01T10:00:00Z"'),
];

const sent: Buffer[] = [];

steadyStreamScenario({
  title: 'scenario 6: poison flood of 1,000 malformed messages from a plain client',
  claim: 'parks all 1,000 in the dlq with a reason, counts valid ones exactly, and goes quiet',
  figures: 'poison flood 1,000',
  landscape: { label: 'poison-flood' },
  async faults(l, load) {
    const dlq = `${l.queue}.dlq`;
    await moreVipReads(load, 300);
    const flooding = Date.now();
    const { connection } = await plainChannel();
    try {
      const channel = await connection.createConfirmChannel();
      // A plain client that only publishes: it checks the queue is there, whatever its type and arguments.
      await channel.checkQueue(l.queue);
      for (let i = 0; i < POISON; i++) {
        const body = (KINDS[i % KINDS.length] as () => Buffer)();
        sent.push(body);
        // Every other message carries properties a publisher might set; the rest none at all, as Go's did.
        const options =
          i % 2 === 0 ? { persistent: true, messageId: `poison-${i}`, contentType: 'application/json' } : {};
        channel.sendToQueue(l.queue, body, options);
      }
      await channel.waitForConfirms();
    } finally {
      await connection.close().catch(() => undefined);
    }
    let parkedSoFar: number | undefined;
    await waitUntil(
      async () => (parkedSoFar = await queueDepth(dlq)) === POISON,
      60_000,
      () => `${POISON} messages in ${dlq} (has ${String(parkedSoFar)})`,
    );
    const floodToAllParkedMs = Date.now() - flooding;
    await moreVipReads(load, 300);
    return { poisonSent: POISON, floodToAllParkedMs };
  },
  async verify(l) {
    const vipservice = l.vipservices[0];
    assert.ok(vipservice?.child.pid);
    const dlq = `${l.queue}.dlq`;
    // Quiet now: nothing is consumed any more (no redelivery loop) and the process is not spinning.
    const pid = vipservice.child.pid;
    const consumedBefore = await metric(vipservice, 'messaging_consumed_total');
    const cpuBefore = await cpuSeconds(pid);
    await delay(QUIET_MS); // the observation window itself, not a wait for work
    const cpuQuiet = (await cpuSeconds(pid)) - cpuBefore;
    assert.equal(
      await metric(vipservice, 'messaging_consumed_total'),
      consumedBefore,
      'no message consumed while quiet',
    );
    // The CPU used while quiet is a figure, not a bound: the consumed count above is what proves there is no
    // redelivery loop, and a CPU bound would only measure how loaded the machine is.
    await waitAllUp(l.all());

    // Exactly the 1,000 poison messages are parked (no valid one), each with the reason in its headers.
    assert.equal(await queueDepth(dlq), POISON);
    const parked = await takeAll(dlq);
    assert.deepEqual(
      parked.map((m) => m.body.toString('hex')).sort(),
      sent.map((b) => b.toString('hex')).sort(),
    );
    for (const m of parked) {
      assert.equal(m.headers['x-death-reason'], 'invalid-message');
      assert.equal(m.headers['x-original-queue'], l.queue);
      assert.equal(typeof m.headers['x-error'], 'string');
    }
    return { parked: parked.length, cpuSecondsInQuiet: cpuQuiet, quietMs: QUIET_MS };
  },
});

async function takeAll(queue: string): Promise<{ body: Buffer; headers: Record<string, unknown> }[]> {
  const { connection, channel } = await plainChannel();
  try {
    const out: { body: Buffer; headers: Record<string, unknown> }[] = [];
    for (;;) {
      const msg = await channel.get(queue, { noAck: true });
      if (msg === false) return out;
      const headers = (msg.properties as { headers?: Record<string, unknown> }).headers ?? {};
      out.push({ body: msg.content, headers });
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
