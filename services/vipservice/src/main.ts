// The vipservice process: load configuration, open the offer store, connect to the broker, consume VIP
// notifications, serve HTTP, follow configuration refreshes, shut down cleanly.
import { configSourceFromEnv, loadConfig, subscribeToRefresh } from '@goblog/config';
import { connectAmqp, isMessagingError, MessagingMetrics } from '@goblog/messaging';
import type { Subscription } from '@goblog/messaging';
import {
  BROKER_HINT,
  Health,
  createLogger,
  createMetrics,
  exitOnStartupError,
  handleShutdown,
  SHUTDOWN_TIMEOUT_MS,
} from '@goblog/runtime';
import { buildApp } from './app.js';
import {
  DEDUP_RETENTION_FLOOR_HOURS,
  DEFAULTS,
  RESTART_KEYS,
  SERVICE_NAME,
  VipserviceConfigSchema,
} from './config.js';
import { createNotificationHandler } from './consumer.js';
import { VIP_QUEUE, vipNotificationType } from './messages.js';
import { VipMetrics } from './metrics.js';
import { DedupPruner } from './store/dedup-pruner.js';
import { OfferStore } from './store/offer-store.js';

/**
 * The longest a close waits for work in flight: the consumer's handlers, then the config bus's, then the
 * republisher's confirms, one after another. Their sum stays well inside the shutdown's bound, so a slow
 * handler costs its own completion (the message is redelivered), never the clean exit.
 */
const CLOSE_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS / 5;

const HOUR_MS = 3_600_000;

async function main(): Promise<void> {
  const live = await loadConfig({
    schema: VipserviceConfigSchema,
    defaults: DEFAULTS,
    source: configSourceFromEnv(SERVICE_NAME),
    restartKeys: RESTART_KEYS,
  });
  const config = live.current;
  const logger = createLogger({ service: SERVICE_NAME, level: config.log_level });
  live.onChange((next) => {
    logger.level = next.log_level;
  });
  logger.info(`Starting ${SERVICE_NAME}...`);
  const metrics = createMetrics(SERVICE_NAME);
  const instanceId = `${SERVICE_NAME}:${config.server_port}`;
  // VIP_QUEUE is for tests only (isolation on a shared broker); the contract's queue is vip_queue.
  const queue = process.env.VIP_QUEUE || VIP_QUEUE;

  const store = OfferStore.open({ dataDir: config.data_dir });
  logger.info({ path: store.path, offers: store.offerCount() }, 'offer store open');
  const vipMetrics = new VipMetrics(metrics.registry, store);
  const pruner = new DedupPruner({
    store,
    retentionMs: () => live.current.dedup_retention_hours * HOUR_MS,
    floorMs: DEDUP_RETENTION_FLOOR_HOURS * HOUR_MS,
    logger,
    onPruned: (count) => {
      vipMetrics.pruned(count);
    },
  });

  const transport = await connectAmqp({
    url: config.amqp_server_url,
    connectionName: instanceId,
    logger,
    metrics: new MessagingMetrics(metrics.registry),
    appId: SERVICE_NAME,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  }).catch(async (err: unknown) => {
    await store.close();
    throw isMessagingError(err, 'CONNECT_FAILED') ? new Error(`${err.message}; ${BROKER_HINT}`) : err;
  });

  const configBus = await subscribeToRefresh({
    transport,
    live,
    application: SERVICE_NAME,
    instanceId,
    bus: config.config_event_bus,
    logger,
  });
  // Attached last (below); the health check and the shutdown read it then.
  const work: { consumer?: Subscription } = {};
  const health = new Health()
    .register('store', () => ({ ok: store.isOpen }))
    .register('broker', () => ({ ok: transport.state === 'connected', detail: transport.state }))
    .register('consumer', () => ({ ok: work.consumer?.consuming === true, detail: { queue } }))
    .register('configBus', () => ({ ok: configBus.consuming }));

  const app = buildApp({ logger, metrics, health, offers: store });

  handleShutdown(
    logger,
    [
      { name: 'http', run: () => app.close() },
      // Handlers in flight finish and ack; what was prefetched but not started goes back to the queue.
      { name: 'consumer', run: async () => work.consumer?.close() },
      { name: 'dedup pruner', run: () => pruner.stop() },
      { name: 'config bus', run: () => configBus.close() },
      { name: 'broker', run: () => transport.close() },
      { name: 'store', run: () => store.close() },
    ],
    SHUTDOWN_TIMEOUT_MS,
  );

  await app.listen({ port: config.server_port, host: '0.0.0.0' });
  logger.info({ port: config.server_port, queue }, `Starting HTTP service at ${config.server_port}`);

  // Work is taken last, once everything else is up: /health says DOWN (consumer) until then.
  work.consumer = await transport.subscribeToQueue(
    vipNotificationType(queue),
    createNotificationHandler({ offers: store, logger, metrics: vipMetrics }),
    { consumerName: SERVICE_NAME, prefetch: config.consumer_prefetch },
  );
  pruner.start();
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
