import { VIP_QUEUE, vipNotificationType } from '@goblog/contracts';
import type { ServiceDefinition, ServiceParts } from '@goblog/runtime';
import { instanceAddress, loopPressure } from '@goblog/runtime';
import { buildApp } from './app.js';
import { SERVICE_NAME } from './config.js';
import type { AccountserviceConfig } from './config.js';
import { seedAccounts } from './domain/account.js';
import { VipPolicy } from './domain/vip-policy.js';
import { followConfig } from './follow-config.js';
import { OutboxMetrics, outboxStatus } from './outbox/outbox-metrics.js';
import { eitherPressure, recordPressure } from './outbox/record-pressure.js';
import { OutboxRelay } from './outbox/relay.js';
import { tracedOutbox } from './outbox/traced-outbox.js';
import type { OutboxRelayOptions } from './outbox/relay.js';
import type { OpenStoreOptions } from './store/account-store.js';
import type { OutboxReader } from './store/outbox-store.js';
import { openAccountStorage } from './store/storage.js';
import type { AccountStorage, OpenStorageOptions } from './store/storage.js';

export interface AccountserviceOptions {
  /** Another queue than the contract's vip_queue: for tests sharing a broker. */
  readonly vipQueue?: string;
  readonly durability?: OpenStoreOptions['durability'];
  /** The shared database's pool and outbox polling (with database_url set); tests shorten the poll. */
  readonly postgres?: OpenStorageOptions['postgres'];
  /** The `servedBy` of the responses; default this instance's address. */
  readonly servedBy?: string;
  /** Whether requests saturate the process (the relay then defers); default the event-loop pressure. */
  readonly saturated?: () => boolean;
  /** The relay's retry delays, and what it reads instead of the store's outbox (tests wrap it). */
  readonly relay?: Pick<OutboxRelayOptions, 'initialBackoffMs' | 'maxBackoffMs'> & {
    readonly outbox?: (outbox: OutboxReader) => OutboxReader;
  };
}

/** The accountservice as assembled, for the tests that drive it. */
export interface AccountserviceParts extends ServiceParts {
  readonly store: AccountStorage;
  readonly vip: VipPolicy;
  readonly relay: OutboxRelay;
}

/**
 * The accountservice's composition root: the seeded store, the VIP policy following refreshes, the HTTP app
 * recording VIP notifications in the outbox, and the relay publishing them. main.ts and the tests both
 * assemble it from here.
 */
export function accountservice(
  options: AccountserviceOptions = {},
): ServiceDefinition<AccountserviceConfig, AccountStorage, AccountserviceParts> {
  return {
    name: SERVICE_NAME,
    // Bounded so that a shutdown during a broker outage still ends within the shutdown's bound.
    broker: { publishWaitMs: 5000, closeTimeoutMs: 2000 },
    async open({ config, logger, health }) {
      // LMDB under data_dir, or the shared PostgreSQL database when database_url is set.
      const store = await openAccountStorage({
        dataDir: config.data_dir,
        databaseUrl: config.database_url,
        logger,
        ...(options.durability === undefined ? {} : { durability: options.durability }),
        ...(options.postgres === undefined ? {} : { postgres: options.postgres }),
      });
      const added = await store.accounts.seed(seedAccounts()).catch(async (err: unknown) => {
        await store.close();
        throw err;
      });
      logger.info({ path: store.location, added, outboxDepth: store.outbox.depth }, 'account store open');
      health.register('store', () => ({ ok: store.isOpen }));
      const database = store.database?.bind(store);
      if (database !== undefined) health.register('database', database);
      return store;
    },
    close: (store) => store.close(),
    async compose({ config, live, logger, metrics, health }, store, transport) {
      const vip = new VipPolicy(config.vip_account_ids);
      if (live !== undefined) followConfig(live, { vip, logger });

      const vipNotification = vipNotificationType(options.vipQueue);
      const publisher = transport.createPublisher();
      // The queue exists from startup on, as the article's PublishOnQueue declared it, not from the first VIP read.
      await publisher.declare(vipNotification);
      const outboxMetrics = new OutboxMetrics(metrics.registry, store.outbox);
      const relay = new OutboxRelay({
        outbox: options.relay?.outbox?.(store.outbox) ?? store.outbox,
        publisher,
        messageType: vipNotification,
        connection: transport,
        appId: SERVICE_NAME,
        logger,
        metrics: outboxMetrics,
        // Delivery is background work: a burst of VIP reads that saturates the service is absorbed by the
        // outbox and delivered right after it (never later than the relay's deferral bound on that account).
        // Saturated: VIP reads pile up behind their outbox commits, or the process's own work fills its loop.
        saturated: options.saturated ?? eitherPressure(recordPressure(store.outbox), loopPressure()),
        // As many batches in flight as the store's outbox allows (several for LMDB, one for PostgreSQL).
        maxBatchesInFlight: store.outbox.maxBatchesInFlight ?? 1,
        ...(options.relay?.initialBackoffMs === undefined
          ? {}
          : { initialBackoffMs: options.relay.initialBackoffMs }),
        ...(options.relay?.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.relay.maxBackoffMs }),
      });
      relay.start();
      // DOWN while the relay cannot read its outbox (or its loop ended): 200s would still be answered, and
      // their notifications would wait in the outbox unseen.
      health.register('relay', () => relay.health());

      const app = buildApp({
        logger,
        metrics,
        health,
        accounts: store.accounts,
        vip,
        outbox: tracedOutbox(outboxMetrics.timed(store.outbox), options.vipQueue ?? VIP_QUEUE, logger),
        servedBy: options.servedBy ?? instanceAddress(config.server_port),
        healthDetails: () => ({ outbox: outboxStatus(store.outbox) }),
      });
      return {
        app,
        store,
        vip,
        relay,
        stopSteps: [
          // Give the relay a moment to hand over what is recorded; the rest waits in the outbox for the next start.
          { name: 'outbox relay', run: () => relay.stop(3000, 1000) },
          { name: 'publisher', run: () => publisher.close() },
        ],
        listening(port) {
          logger.info({ port, vipAccountIds: vip.ids }, 'accountservice listening');
        },
      };
    },
  };
}
