import { hostname } from 'node:os';
import { announcementExchange, instanceAnnouncementType } from '@goblog/contracts';
import type { ServiceDefinition, ServiceParts } from '@goblog/runtime';
import { asyncApiDocument } from './asyncapi/document.js';
import { AmqpLink } from './broker/amqp-link.js';
import { ManagementClient } from './broker/management.js';
import { Collector } from './collector.js';
import { SERVICE_NAME } from './config.js';
import type { LandscapeConfig } from './config.js';
import { DeadLetterQueues } from './dead-letters/dead-letter-queues.js';
import { InstanceRegistry } from './discovery/instances.js';
import { buildApp } from './http/app.js';
import { loadAssets } from './http/assets.js';

/** An instance DOWN and silent this long is dropped from the page. */
const FORGET_AFTER_MS = 60_000;

export interface LandscapeOptions {
  /** Where the page's built files are; default the build's output (dist/public). */
  readonly assetsDir?: string;
}

/** What the landscape opens before the broker transport: its own AMQP link, for what a transport does not do. */
export interface LandscapeOpened {
  readonly link: AmqpLink;
}

/**
 * The landscape's composition root: its AMQP link (passive declares, dead letters), the instance registry
 * fed by announcements, the collector that looks at everything every poll_interval_ms, and the HTTP app.
 * main.ts and the tests both assemble it here.
 */
export function landscape(
  options: LandscapeOptions = {},
): ServiceDefinition<LandscapeConfig, LandscapeOpened, ServiceParts> {
  return {
    name: SERVICE_NAME,
    async open({ config, logger }) {
      const link = new AmqpLink(config.amqp_server_url, logger);
      await link.start();
      return { link };
    },
    close: ({ link }) => link.close(),
    compose(context, { link }, transport) {
      const { config, logger, metrics, health } = context;
      const registry = new InstanceRegistry({
        ownHost: hostname(),
        // A probe answers within a look, so a look never waits on a dead instance longer than one interval.
        probeTimeoutMs: Math.max(200, Math.floor(config.poll_interval_ms * 0.75)),
        forgetAfterMs: FORGET_AFTER_MS,
      });
      const deadLetters = new DeadLetterQueues(link, config.watch_queues);
      const management = new ManagementClient({
        amqpUrl: config.amqp_server_url,
        ...(config.management_url === undefined ? {} : { managementUrl: config.management_url }),
      });
      const bus = {
        exchange: config.config_event_bus,
        announcements: announcementExchange(config.config_event_bus),
      };
      const collector = new Collector({
        registry,
        link,
        management,
        deadLetters,
        workQueues: config.watch_queues,
        bus,
        intervalMs: config.poll_interval_ms,
        logger,
      });
      health.register('brokerView', () => ({
        ok: link.state.connected,
        detail: link.state.error ?? 'connected',
      }));
      const first = brokerHost(config.amqp_server_url);
      const app = buildApp({
        logger,
        metrics,
        health,
        collector,
        deadLetters,
        asyncApi: asyncApiDocument({
          broker: first,
          workQueue: config.watch_queues[0] ?? 'vip_queue',
          bus: config.config_event_bus,
          version: '0.1.0',
        }),
        assets: loadAssets(options.assetsDir),
        credentials:
          config.landscape_user !== undefined && config.landscape_password !== undefined
            ? { user: config.landscape_user, password: config.landscape_password }
            : undefined,
        broker: () => link.state,
      });
      return {
        app,
        consumers: [
          {
            name: 'announcements',
            detail: { exchange: bus.announcements },
            subscribe: () =>
              transport.subscribe(
                instanceAnnouncementType(config.config_event_bus),
                (announcement) => {
                  registry.announce(announcement);
                  return Promise.resolve();
                },
                { consumerName: `${SERVICE_NAME}.announcements`, prefetch: 100 },
              ),
          },
        ],
        stopSteps: [{ name: 'collector', run: () => collector.stop() }],
        listening(port) {
          void collector.start();
          logger.info(
            { port, queues: config.watch_queues, basicAuth: config.landscape_user !== undefined },
            `landscape page at http://127.0.0.1:${port}/`,
          );
        },
      };
    },
  };
}

/** The first broker URL's host:port and virtual host, no credentials (for the AsyncAPI servers entry). */
function brokerHost(url: string): { host: string; vhost: string } {
  const first = new URL(url.split(',')[0]?.trim() ?? url);
  return {
    host: `${first.hostname}:${first.port || '5672'}`,
    vhost: first.pathname.length > 1 ? decodeURIComponent(first.pathname.slice(1)) : '/',
  };
}
