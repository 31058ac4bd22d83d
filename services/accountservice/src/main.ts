// The accountservice process: load configuration, open the store, connect to the broker, serve HTTP,
// relay the outbox, follow configuration refreshes, shut down cleanly.
import { configSourceFromEnv, loadConfig, subscribeToRefresh } from '@goblog/config';
import { connectAmqp, isMessagingError, MessagingMetrics } from '@goblog/messaging';
import {
  BROKER_HINT,
  Health,
  createLogger,
  createMetrics,
  exitOnStartupError,
  handleShutdown,
  instanceAddress,
  loopPressure,
} from '@goblog/runtime';
import { buildApp } from './app.js';
import { AccountserviceConfigSchema, DEFAULTS, RESTART_KEYS, SERVICE_NAME } from './config.js';
import { seedAccounts } from './domain/account.js';
import { followConfig } from './domain/follow-config.js';
import { VipPolicy } from './domain/vip-policy.js';
import { vipNotificationType } from './messages.js';
import { OutboxMetrics, outboxStatus } from './outbox/outbox-metrics.js';
import { OutboxRelay } from './outbox/relay.js';
import { AccountStore } from './store/lmdb-env.js';

async function main(): Promise<void> {
  const live = await loadConfig({
    schema: AccountserviceConfigSchema,
    defaults: DEFAULTS,
    source: configSourceFromEnv(SERVICE_NAME),
    restartKeys: RESTART_KEYS,
  });
  const config = live.current;
  const logger = createLogger({ service: SERVICE_NAME, level: config.log_level });
  const metrics = createMetrics(SERVICE_NAME);
  const instanceId = `${SERVICE_NAME}:${config.server_port}`;

  const store = AccountStore.open({ dataDir: config.data_dir });
  const added = await store.accounts.seed(seedAccounts());
  logger.info({ path: store.path, added, outboxDepth: store.outbox.depth }, 'account store open');

  const transport = await connectAmqp({
    url: config.amqp_server_url,
    connectionName: instanceId,
    logger,
    metrics: new MessagingMetrics(metrics.registry),
    appId: SERVICE_NAME,
    // Bounded so that a shutdown during a broker outage still ends within handleShutdown's 10 s.
    publishWaitMs: 5000,
    closeTimeoutMs: 2000,
  }).catch(async (err: unknown) => {
    await store.close();
    throw isMessagingError(err, 'CONNECT_FAILED') ? new Error(`${err.message}; ${BROKER_HINT}`) : err;
  });

  const vip = new VipPolicy(config.vip_account_ids);
  followConfig(live, { vip, logger });

  // VIP_QUEUE is for tests only (isolation on a shared broker); the contract's queue is vip_queue.
  const vipNotification = vipNotificationType(process.env.VIP_QUEUE || undefined);
  const publisher = transport.createPublisher();
  // The queue exists from startup on, as the article's PublishOnQueue declared it, not from the first VIP read.
  await publisher.declare(vipNotification);
  const outboxMetrics = new OutboxMetrics(metrics.registry, store.outbox);
  const relay = new OutboxRelay({
    outbox: store.outbox,
    publisher,
    messageType: vipNotification,
    connection: transport,
    appId: SERVICE_NAME,
    logger,
    metrics: outboxMetrics,
    // Delivery is background work: a burst of VIP reads that saturates the service is absorbed by the
    // outbox and delivered right after it (never more than 10 s late on that account).
    saturated: loopPressure(),
  });
  relay.start();

  const configBus = await subscribeToRefresh({
    transport,
    live,
    application: SERVICE_NAME,
    instanceId,
    bus: config.config_event_bus,
    logger,
  });
  const health = new Health()
    .register('store', () => ({ ok: store.isOpen }))
    .register('broker', () => ({ ok: transport.state === 'connected', detail: transport.state }))
    .register('configBus', () => ({ ok: configBus.consuming }))
    // DOWN while the relay cannot read its outbox (or its loop ended): 200s would still be answered, and
    // their notifications would wait in the outbox unseen.
    .register('relay', () => relay.health());

  const app = buildApp({
    logger,
    metrics,
    health,
    accounts: store.accounts,
    vip,
    outbox: outboxMetrics.timed(store.outbox),
    servedBy: instanceAddress(config.server_port),
    healthDetails: () => ({ outbox: outboxStatus(store.outbox) }),
  });

  handleShutdown(logger, [
    { name: 'http', run: () => app.close() },
    // Give the relay a moment to hand over what is recorded; the rest waits in the outbox for the next start.
    { name: 'outbox relay', run: () => relay.stop(3000, 1000) },
    { name: 'config bus', run: () => configBus.close() },
    { name: 'publisher', run: () => publisher.close() },
    { name: 'broker', run: () => transport.close() },
    { name: 'store', run: () => store.close() },
  ]);

  await app.listen({ port: config.server_port, host: '0.0.0.0' });
  logger.info({ port: config.server_port, vipAccountIds: vip.ids }, 'accountservice listening');
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
