import type { AddressInfo } from 'node:net';
import type { LiveConfig } from '@goblog/config';
import { reportDiagnosticsTo, startTelemetry } from '@goblog/telemetry';
import { assembleService } from './assemble-service.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { handleShutdown } from './shutdown.js';
import { within } from './within.js';
import type { ServiceConfig, ServiceDefinition, ServiceParts } from './service-definition.js';

/** The longest the shutdown waits for the last spans to be exported. */
const TELEMETRY_SHUTDOWN_MS = 3000;

/**
 * Runs a service as a process: tracing when switched on, its logger and metrics, the assembly (see assembleService), SIGTERM/SIGINT
 * handling in the shutdown order, HTTP on `server_port`, then its consumers. Resolves once it takes work;
 * rejects with the error to report when startup fails (what was opened is closed by then).
 */
export async function startService<C extends ServiceConfig, O, P extends ServiceParts>(
  definition: ServiceDefinition<C, O, P>,
  configuration: { readonly config: Readonly<C>; readonly live?: LiveConfig<C> },
): Promise<void> {
  const { config } = configuration;
  // Tracing first (when the OTEL_* variables switch it on): what the assembly does is traced, and the
  // logger joins its lines to the active span.
  const telemetry = await startTelemetry({
    name: definition.name,
    instanceId: `${definition.name}:${config.server_port}`,
  });
  const logger = createLogger({
    service: definition.name,
    level: config.log_level,
    traced: telemetry !== undefined,
  });
  if (telemetry !== undefined) reportDiagnosticsTo(logger);
  const metrics = createMetrics(definition.name);
  const service = await assembleService(definition, { ...configuration, logger, metrics });
  handleShutdown(logger, [
    ...service.shutdownSteps,
    // Last: the spans of the shutdown itself are exported too.
    // Bounded: a collector that does not answer must not hold the process's exit up.
    ...(telemetry === undefined
      ? []
      : [{ name: 'telemetry', run: () => within(telemetry.shutdown(), TELEMETRY_SHUTDOWN_MS) }]),
  ]);
  await service.parts.app.listen({ port: config.server_port, host: '0.0.0.0' });
  await service.listening((service.parts.app.server.address() as AddressInfo).port);
}
