import { subscribeToRefresh } from '@goblog/config';
import type { LiveConfig } from '@goblog/config';
import { connectAmqp, MessagingMetrics, tracedTransport } from '@goblog/messaging';
import { tracingOn } from '@goblog/telemetry';
import type { Subscription, Transport } from '@goblog/messaging';
import { startAnnouncing } from './announcer.js';
import type { Announcer } from './announcer.js';
import { brokerStartupError } from './broker-hint.js';
import { Health } from './health.js';
import type { PinoLogger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { ShutdownStep } from './shutdown.js';
import type { ServiceConfig, ServiceContext, ServiceDefinition, ServiceParts } from './service-definition.js';

export interface AssembleInputs<C extends ServiceConfig> {
  readonly config: Readonly<C>;
  /** With it, the service follows refreshes: the config bus, and `log_level` without a restart. */
  readonly live?: LiveConfig<C>;
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  /** How the broker is reached; default RabbitMQ at `amqp_server_url`. Tests hand in a memory transport. */
  readonly connect?: (context: ServiceContext<C>) => Promise<Transport>;
}

/** A service assembled and not yet listening: what a process starts and what a test drives. */
export interface AssembledService<O, P extends ServiceParts> {
  readonly context: ServiceContext<ServiceConfig>;
  readonly opened: O;
  readonly parts: P;
  readonly transport: Transport;
  readonly health: Health;
  /** In order: farewell announcement, HTTP, consumers, the service's own steps, config bus, broker, store. */
  readonly shutdownSteps: readonly ShutdownStep[];
  /** To call once HTTP listens on `port`: logs the service's line, then attaches its consumers. */
  listening(port: number): Promise<void>;
  /** Runs the shutdown steps one after another (a process runs them through handleShutdown instead). */
  close(): Promise<void>;
}

/**
 * Assembles a service the one way it is assembled, in a process and in tests alike: open, connect the broker
 * (a failure closes what was opened and says how to start a broker), compose, then the config bus with
 * log-level following. Nothing listens and no signal is handled here (see startService).
 */
export async function assembleService<C extends ServiceConfig, O, P extends ServiceParts>(
  definition: ServiceDefinition<C, O, P>,
  inputs: AssembleInputs<C>,
): Promise<AssembledService<O, P>> {
  const { config, live, logger, metrics } = inputs;
  const health = new Health();
  let port = config.server_port;
  const context: ServiceContext<C> = {
    name: definition.name,
    config,
    live,
    logger,
    metrics,
    health,
    get instanceId() {
      return `${definition.name}:${port}`;
    },
  };

  const opened = await definition.open(context);
  const connect = inputs.connect ?? ((ctx: ServiceContext<C>) => connectBroker(definition, ctx));
  const connected = await connect(context).catch(async (err: unknown) => {
    await definition.close?.(opened);
    throw brokerStartupError(err);
  });
  // With tracing on, every publish of the service is a producer span (consumers trace in the delivery core).
  const transport = tracingOn() ? tracedTransport(connected) : connected;
  health.register('broker', () => ({
    ok: transport.state === 'connected',
    // Which node of a cluster this instance is on (the node, not the URL: no password).
    detail: transport.node === undefined ? transport.state : { state: transport.state, node: transport.node },
  }));

  const parts = await definition.compose(context, opened, transport);
  const consumers = (parts.consumers ?? []).map((consumer) => ({ consumer, subscription: attachLater() }));
  for (const { consumer, subscription } of consumers) {
    health.register(consumer.name, () => ({
      ok: subscription.current?.consuming === true,
      ...(consumer.detail === undefined ? {} : { detail: consumer.detail }),
    }));
  }
  const configBus = live === undefined ? undefined : await followRefreshes(context, live, transport);

  let announcer: Announcer | undefined;
  const shutdownSteps: ShutdownStep[] = [
    { name: 'announcer', run: async () => announcer?.stop() },
    { name: 'http', run: () => parts.app.close() },
    ...consumers.map(({ consumer, subscription }) => ({
      name: consumer.name,
      run: async () => subscription.current?.close(),
    })),
    ...(parts.stopSteps ?? []),
    ...(configBus === undefined ? [] : [{ name: 'config bus', run: () => configBus.close() }]),
    { name: 'broker', run: () => transport.close() },
    ...(definition.close === undefined
      ? []
      : [{ name: 'store', run: () => definition.close?.(opened) ?? Promise.resolve() }]),
  ];

  return {
    context,
    opened,
    parts,
    transport,
    health,
    shutdownSteps,
    async listening(listeningOn) {
      port = listeningOn;
      parts.listening(listeningOn);
      for (const { consumer, subscription } of consumers) subscription.current = await consumer.subscribe();
      // Once it takes work, the landscape may show it (see announcer.ts).
      announcer = startAnnouncing(context, transport, listeningOn);
    },
    async close() {
      for (const step of shutdownSteps) await step.run();
    },
  };
}

/** A subscription taken after assembly; its health check and shutdown step read it from here. */
function attachLater(): { current: Subscription | undefined } {
  return { current: undefined };
}

function connectBroker<C extends ServiceConfig>(
  definition: ServiceDefinition<C, unknown, ServiceParts>,
  context: ServiceContext<C>,
): Promise<Transport> {
  return connectAmqp({
    url: context.config.amqp_server_url,
    connectionName: context.instanceId,
    logger: context.logger,
    metrics: new MessagingMetrics(context.metrics.registry),
    appId: definition.name,
    queueType: context.config.work_queue_type ?? 'quorum',
    ...(context.config.work_queue_delivery_limit === undefined
      ? {}
      : { deliveryLimit: context.config.work_queue_delivery_limit }),
    ...definition.broker,
  });
}

/** The config bus (reloads on a refresh addressed to this instance) and the log level following it. */
async function followRefreshes<C extends ServiceConfig>(
  context: ServiceContext<C>,
  live: LiveConfig<C>,
  transport: Transport,
): Promise<Subscription> {
  live.onChange((next, _previous, changedKeys) => {
    if (changedKeys.includes('log_level')) context.logger.level = next.log_level;
  });
  const configBus = await subscribeToRefresh({
    transport,
    live,
    application: context.name,
    instanceId: context.instanceId,
    bus: context.config.config_event_bus,
    logger: context.logger,
  });
  context.health.register('configBus', () => ({ ok: configBus.consuming }));
  return configBus;
}
