// consume: draining n messages already in the queue (filled by raw amqplib for both sides), `prefetch`
// unacked, each acked after its handler, the package against raw amqplib.
import type { ChannelModel } from 'amqplib';
import { scenario, measure, type ScenarioResult } from './measure.ts';
import { oursConnect, oursConsume } from './ours.ts';
import { rawCleanup, rawConnect, rawConsume, rawDeclare, rawPublishMany } from './raw.ts';
import { settingsOf, type BenchOptions } from './workload.ts';

/** Consume throughput: drain n messages already in the queue, prefetch 500, ack each. */
export async function benchConsume(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  const fill = async (c: ChannelModel, queue: string): Promise<void> => {
    await rawDeclare(c, queue, s.queueType);
    const ch = await c.createConfirmChannel();
    await rawPublishMany(ch, queue, s.messages, s.window);
    await ch.close();
  };
  return scenario(
    'consume',
    s,
    async (s, queue) => {
      const c = await rawConnect(s.url);
      const t = await oursConnect(s, 'bench-consume');
      try {
        await fill(c, queue);
        return await measure(s.messages, async () => {
          await oursConsume(t, queue, s.messages, s.prefetch);
          return undefined;
        });
      } finally {
        await t.close();
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const c = await rawConnect(s.url);
      const consumer = await rawConnect(s.url);
      try {
        await fill(c, queue);
        return await measure(s.messages, async () => {
          await rawConsume(consumer, queue, s.messages, s.prefetch);
          return undefined;
        });
      } finally {
        await consumer.close();
        await rawCleanup(c, queue);
        await c.close();
      }
    },
  );
}
