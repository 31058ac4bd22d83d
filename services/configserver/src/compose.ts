import { inSpan, scopeTracer } from '@goblog/telemetry';
import { accessSync, constants, statSync } from 'node:fs';
import { createConfigRepository, createTextEncryptor } from '@goblog/config';
import type { ConfigRepository, TextEncryptor } from '@goblog/config';
import type { ServiceDefinition, ServiceParts } from '@goblog/runtime';
import { Counter } from 'prom-client';
import { buildApp } from './app.js';
import { SERVICE_NAME } from './config.js';
import type { ConfigServerConfig } from './config.js';
import { destinationsForPaths } from './domain/changed-services.js';
import { createRefreshBus } from './domain/refresh-bus.js';
import { watchRepository } from './repo-watcher.js';

const tracer = scopeTracer('@goblog/configserver');

/** What the configserver serves from: the repository folder, and the key of its `{cipher}` values. */
export interface ServedRepository {
  readonly repository: ConfigRepository;
  readonly encryptor: TextEncryptor | undefined;
}

/**
 * The configserver's composition root: the config repository (refused at startup when unreadable), the
 * refresh bus it announces changes on, the HTTP app, and the folder watch. main.ts and tests assemble it here.
 */
export function configserver(): ServiceDefinition<ConfigServerConfig, ServedRepository, ServiceParts> {
  return {
    name: SERVICE_NAME,
    async open({ config, logger }) {
      const encryptor = config.encrypt_key ? createTextEncryptor(config.encrypt_key) : undefined;
      const repository = createConfigRepository({ dir: config.config_repo, encryptor, logger });
      if (!(await repository.readable())) {
        throw new Error(
          `config_repo: folder ${repository.dir} cannot be read (set CONFIG_REPO to the config repository)`,
        );
      }
      return { repository, encryptor };
    },
    compose(context, { repository, encryptor }, transport) {
      const { config, logger, metrics, health } = context;
      const publisher = transport.createPublisher();
      const bus = createRefreshBus({
        publisher,
        exchange: config.config_event_bus,
        // Read per event: with port 0 the instance id is known once HTTP listens.
        originService: () => context.instanceId,
        published: new Counter({
          name: 'configserver_bus_events_published_total',
          help: 'RefreshRemoteApplicationEvents published, by trigger (busrefresh, monitor, watch)',
          labelNames: ['trigger'] as const,
          registers: [metrics.registry],
        }),
      });
      health.register('repository', () => ({ ok: isReadableFolder(repository.dir) }));

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
        // With tracing on, a saved file starts a trace: its refresh events, and each service's reload.
        onChange: (files) =>
          inSpan(tracer(), 'config repository change', async () => {
            for (const destination of destinationsForPaths(files)) {
              const event = await bus.publishRefresh(destination, 'watch');
              logger.info(
                { files, destination, eventId: event.id },
                'configuration repository changed: refresh published',
              );
            }
          }),
      });

      return {
        app,
        stopSteps: [
          {
            name: 'repository watch',
            run: () => {
              watcher.close();
              return Promise.resolve();
            },
          },
          { name: 'publisher', run: () => publisher.close() },
        ],
        listening(port) {
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
        },
      };
    },
  };
}

function isReadableFolder(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
