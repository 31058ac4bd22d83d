// The landscape in this test process, assembled by its one composition root on a free port, looking at a
// queue and a config bus of the test's own.
import { resolveConfig } from '@goblog/config';
import { connectAmqp, MessagingMetrics } from '@goblog/messaging';
import { assembleService, createLogger, createMetrics } from '@goblog/runtime';
import { BROKER_URL, freePort, waitUntil } from '@goblog/testkit';
import { landscape } from '../../src/compose.ts';
import { DEFAULTS, LandscapeConfigSchema } from '../../src/config.ts';
import type { LandscapeSnapshot } from '../../src/collector.ts';

export interface RunningLandscape {
  readonly baseUrl: string;
  snapshot(): Promise<LandscapeSnapshot>;
  /** Waits (bounded) until `predicate` holds for a snapshot; resolves with it. */
  waitFor(
    predicate: (s: LandscapeSnapshot) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<LandscapeSnapshot>;
  close(): Promise<void>;
}

export async function startLandscape(options: {
  readonly queue: string;
  readonly bus: string;
  /** The broker for the landscape's own link (queues, dead letters); default `transportUrl`. */
  readonly amqpUrl?: string;
  /** The broker for its transport (announcements); default BROKER_URL. */
  readonly transportUrl?: string;
  readonly env?: Record<string, string>;
}): Promise<RunningLandscape> {
  const port = await freePort();
  const config = resolveConfig({
    schema: LandscapeConfigSchema,
    defaults: DEFAULTS,
    env: {
      SERVER_PORT: String(port),
      AMQP_SERVER_URL: options.amqpUrl ?? options.transportUrl ?? BROKER_URL,
      CONFIG_EVENT_BUS: options.bus,
      WATCH_QUEUES: options.queue,
      POLL_INTERVAL_MS: '500',
      ...options.env,
    },
  });
  const logger = createLogger({
    service: 'landscape',
    level: process.env.TEST_SERVICE_LOGS ? 'info' : 'silent',
  });
  const metrics = createMetrics('landscape');
  const service = await assembleService(landscape(), {
    config,
    logger,
    metrics,
    connect: (context) =>
      connectAmqp({
        url: options.transportUrl ?? BROKER_URL,
        connectionName: context.instanceId,
        logger,
        metrics: new MessagingMetrics(metrics.registry),
        appId: 'landscape',
      }),
  });
  await service.parts.app.listen({ port, host: '127.0.0.1' });
  await service.listening(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const snapshot = async (): Promise<LandscapeSnapshot> => {
    const response = await fetch(`${baseUrl}/api/landscape`);
    if (response.status !== 200) throw new Error(`GET /api/landscape: HTTP ${response.status}`);
    return (await response.json()) as LandscapeSnapshot;
  };
  return {
    baseUrl,
    snapshot,
    async waitFor(predicate, what, timeoutMs = 20_000) {
      let last: LandscapeSnapshot | undefined;
      await waitUntil(
        async () => {
          last = await snapshot().catch(() => undefined);
          return last !== undefined && predicate(last);
        },
        timeoutMs,
        () => `${what}; last snapshot: ${JSON.stringify(last?.services ?? null).slice(0, 1500)}`,
      );
      if (!last) throw new Error('unreachable');
      return last;
    },
    close: () => service.close(),
  };
}

/** The status of instance `id` in a snapshot, or undefined when it is not listed. */
export function statusOf(s: LandscapeSnapshot, id: string): 'UP' | 'DOWN' | undefined {
  return s.services.flatMap((svc) => svc.instances).find((i) => i.id === id)?.status;
}
