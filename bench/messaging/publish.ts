// publish: n confirmed persistent publishes to a work queue with `window` outstanding, the package against
// raw amqplib, after a warm-up of 100 on the same queue.
import { scenario, measure, type ScenarioResult } from './measure.ts';
import { oursConnect, oursPublishMany } from './ours.ts';
import { rawCleanup, rawConnect, rawDeclare, rawPublishMany } from './raw.ts';
import { settingsOf, type BenchOptions } from './workload.ts';

/** Publish throughput: n confirmed publishes to a work queue, window outstanding. */
export async function benchPublish(options: BenchOptions = {}): Promise<ScenarioResult> {
  const s = settingsOf(options);
  return scenario(
    'publish',
    s,
    async (s, queue) => {
      const t = await oursConnect(s, 'bench-publish');
      try {
        await oursPublishMany(t, queue, 100, s.window); // declares the queue, warms up
        return await measure(s.messages, async () => {
          await oursPublishMany(t, queue, s.messages, s.window);
          return undefined;
        });
      } finally {
        await t.close();
        const c = await rawConnect(s.url);
        await rawCleanup(c, queue);
        await c.close();
      }
    },
    async (s, queue) => {
      const c = await rawConnect(s.url);
      try {
        await rawDeclare(c, queue, s.queueType);
        const ch = await c.createConfirmChannel();
        ch.on('error', () => undefined);
        await rawPublishMany(ch, queue, 100, s.window);
        const r = await measure(s.messages, async () => {
          await rawPublishMany(ch, queue, s.messages, s.window);
          return undefined;
        });
        await ch.close();
        return r;
      } finally {
        await rawCleanup(c, queue);
        await c.close();
      }
    },
  );
}
