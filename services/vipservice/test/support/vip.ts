import type { Options } from 'amqplib';
import {
  BROKER_URL,
  freePort,
  plainChannel,
  queueDepth,
  startService,
  uniqueName,
  waitUntil,
} from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import type { Offer } from '../../src/domain/offer.js';
import { OfferStore } from '../../src/store/offer-store.js';

/** A VIP queue of this test's own (the service consumes it through VIP_QUEUE), so tests can run side by side. */
export function uniqueVipQueue(): string {
  return uniqueName('vip_queue.test.vip');
}

/**
 * The vipservice as a real process on a free port, with its own data_dir and queue. A variable given as ''
 * in `env` is left unset (e.g. LOG_LEVEL, to let the configuration decide).
 */
export async function startVipservice(options: {
  dataDir: string;
  queue: string;
  port?: number;
  env?: Record<string, string>;
  waitHealthy?: boolean;
}): Promise<RunningService> {
  const env: Record<string, string> = {
    DATA_DIR: options.dataDir,
    VIP_QUEUE: options.queue,
    AMQP_SERVER_URL: BROKER_URL,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    ...options.env,
  };
  return startService('vipservice', {
    port: options.port ?? (await freePort()),
    waitHealthy: options.waitHealthy ?? true,
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  });
}

export async function getOffer(
  service: RunningService,
  accountId: string,
): Promise<{ status: number; offer?: Offer }> {
  const res = await fetch(`${service.baseUrl}/offers/${accountId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return { status: res.status };
  }
  return { status: 200, offer: (await res.json()) as Offer };
}

/** How many notifications the account's offer counts now (0 without an offer). */
export async function notificationsOf(service: RunningService, accountId: string): Promise<number> {
  return (await getOffer(service, accountId)).offer?.notifications ?? 0;
}

/** Lines of `service` saying `Got a message:` so far. */
export function gotMessageLines(service: RunningService): string[] {
  return service.lines.filter((l) => l.includes('Got a message:'));
}

/** Messages ready in `queue` right now (AMQP passive declare: exact, unlike rabbitmqctl's sampled stats). */
export async function readyIn(queue: string): Promise<number> {
  const depth = await queueDepth(queue);
  if (depth === undefined) throw new Error(`queue ${queue} does not exist`);
  return depth;
}

/** Waits until the account's offer counts `count` notifications (as served by `service`). */
export async function waitForNotifications(
  service: RunningService,
  accountId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  let last = 0;
  await waitUntil(
    async () => {
      last = await notificationsOf(service, accountId);
      return last >= count;
    },
    timeoutMs,
    () => `${count} notifications on ${accountId}'s offer (has ${last})`,
  );
}

/** Waits until `queue` holds `count` ready messages. */
export async function waitForReady(queue: string, count: number, timeoutMs = 30_000): Promise<void> {
  let last = 0;
  await waitUntil(
    async () => {
      last = await readyIn(queue);
      return last >= count;
    },
    timeoutMs,
    () => `${count} messages in ${queue} (has ${last})`,
  );
}

/** The account's offer as committed in the store under `dataDir`, read directly (the services may be stopped). */
export async function offerInStore(dataDir: string, accountId: string): Promise<Offer | undefined> {
  const store = OfferStore.open({ dataDir });
  try {
    return store.get(accountId);
  } finally {
    await store.close();
  }
}

/** Sends raw bytes to `queue` as another program would (the Go service, a broken client). Confirmed. */
export async function sendRaw(
  queue: string,
  bodies: readonly { body: string; options?: Options.Publish }[],
): Promise<void> {
  const { connection } = await plainChannel();
  try {
    const ch = await connection.createConfirmChannel();
    for (const { body, options } of bodies)
      ch.sendToQueue(queue, Buffer.from(body), { persistent: true, ...options });
    await ch.waitForConfirms();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export interface ParkedMessage {
  readonly body: string;
  readonly headers: Record<string, unknown>;
}

/** Takes every message in `<queue>.dlq` now (basic.get until empty). */
export async function takeDeadLetters(queue: string): Promise<ParkedMessage[]> {
  const { connection, channel } = await plainChannel();
  try {
    const out: ParkedMessage[] = [];
    for (;;) {
      const msg = await channel.get(`${queue}.dlq`, { noAck: true });
      if (msg === false) return out;
      const headers = (msg.properties as { headers?: Record<string, unknown> }).headers ?? {};
      out.push({ body: msg.content.toString('utf8'), headers });
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
