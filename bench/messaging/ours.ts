// The package's side of the messaging bench: @goblog/messaging doing the same work as raw.ts, through its
// typed publisher and subscriber, with the settings' confirm window, queue type and write coalescing.
import { connectAmqp, defineMessage, type AmqpTransport } from '@goblog/messaging';
import { Body, body, now, type Settings } from './workload.ts';

export async function oursConnect(s: Settings, name: string): Promise<AmqpTransport> {
  return connectAmqp({
    url: s.url,
    connectionName: name,
    appId: 'bench',
    confirmWindow: s.window,
    queueType: s.queueType,
    coalesceWrites: s.coalesceWrites,
  });
}

function oursType(queue: string) {
  return defineMessage({ name: 'BenchMessage', schema: Body, destination: { kind: 'queue', queue } });
}

/** Publishes n messages keeping `window` publishes outstanding. */
export function oursPublishMany(t: AmqpTransport, queue: string, n: number, window: number): Promise<void> {
  const type = oursType(queue);
  const pub = t.createPublisher();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let inflight = 0;
    const onOk = (): void => {
      inflight--;
      confirmed++;
      if (confirmed === n) resolve();
      else pump();
    };
    function pump(): void {
      while (inflight < window && sent < n) {
        inflight++;
        pub.publish(type, body(sent++)).then(onOk, reject);
      }
    }
    pump();
  });
}

export async function oursConsume(
  t: AmqpTransport,
  queue: string,
  n: number,
  prefetch: number,
  onStart?: () => void,
): Promise<number[]> {
  const latencies: number[] = [];
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sub = await t.subscribeToQueue(
    oursType(queue),
    (v) => {
      latencies.push(now() - v.sentAt);
      if (++handled === n) done();
      return Promise.resolve();
    },
    { consumerName: 'bench', prefetch },
  );
  onStart?.();
  await finished;
  await sub.close();
  return latencies;
}
