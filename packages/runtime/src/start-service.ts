import type { AddressInfo } from 'node:net';
import type { LiveConfig } from '@goblog/config';
import { assembleService } from './assemble-service.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { handleShutdown } from './shutdown.js';
import type { ServiceConfig, ServiceDefinition, ServiceParts } from './service-definition.js';

/**
 * Runs a service as a process: its logger and metrics, the assembly (see assembleService), SIGTERM/SIGINT
 * handling in the shutdown order, HTTP on `server_port`, then its consumers. Resolves once it takes work;
 * rejects with the error to report when startup fails (what was opened is closed by then).
 */
export async function startService<C extends ServiceConfig, O, P extends ServiceParts>(
  definition: ServiceDefinition<C, O, P>,
  configuration: { readonly config: Readonly<C>; readonly live?: LiveConfig<C> },
): Promise<void> {
  const { config } = configuration;
  const logger = createLogger({ service: definition.name, level: config.log_level });
  const metrics = createMetrics(definition.name);
  const service = await assembleService(definition, { ...configuration, logger, metrics });
  handleShutdown(logger, service.shutdownSteps);
  await service.parts.app.listen({ port: config.server_port, host: '0.0.0.0' });
  await service.listening((service.parts.app.server.address() as AddressInfo).port);
}
