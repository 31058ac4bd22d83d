// The configserver process: validate its environment, connect to the broker, serve the config repository
// in Spring Cloud Config's formats, announce changes on the bus, shut down cleanly.
import { accessSync, constants, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createConfigRepository, createTextEncryptor } from '@goblog/config';
import { connectAmqp, isMessagingError, MessagingMetrics } from '@goblog/messaging';
import {
  BROKER_HINT,
  Health,
  createLogger,
  createMetrics,
  exitOnStartupError,
  handleShutdown,
} from '@goblog/runtime';
import { Counter } from 'prom-client';
import { buildApp } from './app.js';
import { SERVICE_NAME, loadServerConfig } from './config.js';
import { destinationsForPaths } from './domain/changed-services.js';
import { createRefreshBus } from './domain/refresh-bus.js';
import { watchRepository } from './repo-watcher.js';

async function main(): Promise<void> {
  const config = loadServerConfig();
  const logger = createLogger({ service: SERVICE_NAME, level: config.log_level });
  const metrics = createMetrics(SERVICE_NAME);
  const encryptor = config.encrypt_key ? createTextEncryptor(config.encrypt_key) : undefined;
  const repository = createConfigRepository({ dir: config.config_repo, encryptor, logger });
  if (!(await repository.readable())) {
    throw new Error(
      `config_repo: folder ${repository.dir} cannot be read (set CONFIG_REPO to the config repository)`,
    );
  }

  let instanceId = `${SERVICE_NAME}:${config.server_port}`;
  const transport = await connectAmqp({
    url: config.amqp_server_url,
    connectionName: instanceId,
    logger,
    metrics: new MessagingMetrics(metrics.registry),
    appId: SERVICE_NAME,
  }).catch((err: unknown) => {
    throw isMessagingError(err)
      ? new Error(`message broker unreachable: ${err.message}; ${BROKER_HINT}`)
      : err;
  });

  const publisher = transport.createPublisher();
  const bus = createRefreshBus({
    publisher,
    exchange: config.config_event_bus,
    originService: () => instanceId,
    published: new Counter({
      name: 'configserver_bus_events_published_total',
      help: 'RefreshRemoteApplicationEvents published, by trigger (busrefresh, monitor, watch)',
      labelNames: ['trigger'] as const,
      registers: [metrics.registry],
    }),
  });

  const health = new Health()
    .register('broker', () => ({ ok: transport.state === 'connected', detail: transport.state }))
    .register('repository', () => ({ ok: isReadableFolder(repository.dir) }));

  const app = buildApp({
    logger,
    metrics,
    health,
    repository,
    bus,
    encryptor,
    credentials:
      config.config_server_user !== undefined && config.config_server_password !== undefined
        ? { user: config.config_server_user, password: config.config_server_password }
        : undefined,
  });

  const watcher = watchRepository({
    dir: repository.dir,
    logger,
    onChange: async (files) => {
      for (const destination of destinationsForPaths(files)) {
        const event = await bus.publishRefresh(destination, 'watch');
        logger.info(
          { files, destination, eventId: event.id },
          'configuration repository changed: refresh published',
        );
      }
    },
  });

  handleShutdown(logger, [
    { name: 'http', run: () => app.close() },
    {
      name: 'repository watch',
      run: () => {
        watcher.close();
        return Promise.resolve();
      },
    },
    { name: 'publisher', run: () => publisher.close() },
    { name: 'broker', run: () => transport.close() },
  ]);

  await app.listen({ port: config.server_port, host: '0.0.0.0' });
  const { port } = app.server.address() as AddressInfo;
  instanceId = `${SERVICE_NAME}:${port}`;
  logger.info(
    {
      port,
      repository: repository.dir,
      bus: config.config_event_bus,
      encryption: encryptor !== undefined,
      basicAuth: config.config_server_user !== undefined,
    },
    'configserver listening',
  );
}

function isReadableFolder(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

main().catch((err: unknown) => exitOnStartupError(SERVICE_NAME, err));
