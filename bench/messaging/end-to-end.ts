// end-to-end: publishing and consuming at once on separate connections, the consumer attached before the
// first publish: throughput, and each message's publish -> handler latency, the package against raw amqplib.
import { scenario, measure, type ScenarioResult } from './measure.ts';
import { oursConnect, oursConsume, oursPublishMany } from './ours.ts';
import { rawCleanup, rawConnect, rawConsume, rawDeclare, rawPublishMany } from './raw.ts';
import { settingsOf, type BenchOptions } from './workload.ts';

/** Publish and consume at once (separate connections): throughput and publish -> handler latency. */
export async function benchEndToEnd(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  return scenario(
    'end-to-end',
    s,
    async (s, queue) => {
      const producer = await oursConnect(s, 'bench-e2e-producer');
      const consumer = await oursConnect(s, 'bench-e2e-consumer');
      try {
        await oursPublishMany(producer, queue, 1, s.window); // declare
        await oursConsume(consumer, queue, 1, s.prefetch);
        return await measure(s.messages, async () => {
          let started!: () => void;
          const ready = new Promise<void>((resolve) => (started = resolve));
          const consumed = oursConsume(consumer, queue, s.messages, s.prefetch, () => {
            started();
          });
          await ready;
          await oursPublishMany(producer, queue, s.messages, s.window);
          return consumed;
        });
      } finally {
        await Promise.all([producer.close(), consumer.close()]);
        const c = await rawConnect(s.url);
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const producer = await rawConnect(s.url);
      const consumer = await rawConnect(s.url);
      try {
        await rawDeclare(producer, queue, s.queueType);
        const ch = await producer.createConfirmChannel();
        return await measure(s.messages, async () => {
          let started!: () => void;
          const ready = new Promise<void>((resolve) => (started = resolve));
          const consumed = rawConsume(consumer, queue, s.messages, s.prefetch, () => {
            started();
          });
          await ready;
          await rawPublishMany(ch, queue, s.messages, s.window);
          return consumed;
        });
      } finally {
        await consumer.close();
        await rawCleanup(producer, queue);
        await producer.close();
      }
    },
  );
}
