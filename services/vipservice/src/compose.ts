import { VIP_QUEUE } from '@goblog/contracts';
import type { ServiceDefinition, ServiceParts } from '@goblog/runtime';
import { SHUTDOWN_TIMEOUT_MS } from '@goblog/runtime';
import { buildApp } from './app.js';
import { DEDUP_RETENTION_FLOOR_HOURS, SERVICE_NAME } from './config.js';
import type { VipserviceConfig } from './config.js';
import { vipNotificationType } from './messages.js';
import { VipMetrics } from './metrics.js';
import { createNotificationHandler } from './notification-handler.js';
import { DedupPruner } from './store/dedup-pruner.js';
import { openOfferStorage } from './store/storage.js';
import type { OfferStorage, OpenOfferStorageOptions } from './store/storage.js';

/**
 * The longest a close waits for work in flight: the consumer's handlers, then the config bus's, then the
 * republisher's confirms, one after another. Their sum stays well inside the shutdown's bound, so a slow
 * handler costs its own completion (the message is redelivered), never the clean exit.
 */
const CLOSE_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS / 5;

const HOUR_MS = 3_600_000;

export interface VipserviceOptions {
  /** Another queue than the contract's vip_queue: for tests sharing a broker. */
  readonly queue?: string;
  /** The shared database's pool (with database_url set). */
  readonly postgres?: OpenOfferStorageOptions['postgres'];
}

/** What the vipservice opens before the broker: the offer store and what keeps it. */
export interface VipserviceStore {
  readonly store: OfferStorage;
  readonly metrics: VipMetrics;
  readonly pruner: DedupPruner;
}

/**
 * The vipservice's composition root: the offer store with its dedup pruner, the HTTP app serving offers,
 * and the vip_queue consumer, attached last (once HTTP listens). main.ts and the tests both assemble it here.
 */
export function vipservice(
  options: VipserviceOptions = {},
): ServiceDefinition<VipserviceConfig, VipserviceStore, ServiceParts> {
  const queue = options.queue ?? VIP_QUEUE;
  return {
    name: SERVICE_NAME,
    broker: { closeTimeoutMs: CLOSE_TIMEOUT_MS },
    async open({ config, live, logger, metrics, health }) {
      logger.info(`Starting ${SERVICE_NAME}...`);
      // LMDB under data_dir, or the shared PostgreSQL database when database_url is set.
      const store = await openOfferStorage({
        dataDir: config.data_dir,
        databaseUrl: config.database_url,
        logger,
        ...(options.postgres === undefined ? {} : { postgres: options.postgres }),
      });
      const offers = await Promise.resolve(store.offerCount()).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      logger.info({ path: store.location, offers }, 'offer store open');
      health.register('store', () => ({ ok: store.isOpen }));
      const database = store.database?.bind(store);
      if (database !== undefined) health.register('database', database);
      const vipMetrics = new VipMetrics(metrics.registry, store);
      const pruner = new DedupPruner({
        store,
        retentionMs: () => (live?.current ?? config).dedup_retention_hours * HOUR_MS,
        floorMs: DEDUP_RETENTION_FLOOR_HOURS * HOUR_MS,
        logger,
        onPruned: (count) => {
          vipMetrics.pruned(count);
        },
      });
      return { store, metrics: vipMetrics, pruner };
    },
    close: ({ store }) => store.close(),
    compose({ config, logger, metrics, health }, { store, metrics: vipMetrics, pruner }, transport) {
      const app = buildApp({ logger, metrics, health, offers: store });
      return {
        app,
        consumers: [
          {
            // Handlers in flight finish and ack on shutdown; what was prefetched but not started goes back.
            name: 'consumer',
            detail: { queue },
            subscribe: async () => {
              const consumer = await transport.subscribeToQueue(
                vipNotificationType(queue),
                createNotificationHandler({ offers: store, logger, metrics: vipMetrics }),
                { consumerName: SERVICE_NAME, prefetch: config.consumer_prefetch },
              );
              pruner.start();
              return consumer;
            },
          },
        ],
        stopSteps: [{ name: 'dedup pruner', run: () => pruner.stop() }],
        listening(port) {
          logger.info({ port, queue }, `Starting HTTP service at ${port}`);
        },
      };
    },
  };
}
