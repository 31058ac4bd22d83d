import type { LiveConfig, LogLevel } from '@goblog/config';
import type { AmqpTransportOptions, Subscription, Transport } from '@goblog/messaging';
import type { FastifyInstance } from 'fastify';
import type { Health } from './health.js';
import type { PinoLogger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { ShutdownStep } from './shutdown.js';

/** The keys the shared skeleton reads from every service's configuration. */
export interface ServiceConfig {
  readonly server_port: number;
  readonly amqp_server_url: string;
  readonly config_event_bus: string;
  readonly log_level: LogLevel;
  /** How work queues are declared (see BaseConfigSchema); quorum unless configured otherwise. */
  readonly work_queue_type?: 'quorum' | 'classic';
  readonly work_queue_delivery_limit?: number;
}

/** What a service's assembly is handed: built once, shared by `open` and `compose`. */
export interface ServiceContext<C extends ServiceConfig> {
  readonly name: string;
  /** The configuration at startup. */
  readonly config: Readonly<C>;
  /** The configuration as refreshes change it; undefined for a service whose configuration is fixed. */
  readonly live: LiveConfig<C> | undefined;
  readonly logger: PinoLogger;
  readonly metrics: ServiceMetrics;
  /** The service is UP only while every check registered here is ok. */
  readonly health: Health;
  /** `<name>:<port>`; with port 0 configured, the port actually listened on once HTTP listens. */
  readonly instanceId: string;
}

/** A consumer the service takes work with once HTTP listens (DOWN on /health until it is attached). */
export interface WorkConsumer {
  /** Its health check's and its shutdown step's name. */
  readonly name: string;
  /** Shown with its health check. */
  readonly detail?: unknown;
  subscribe(): Promise<Subscription>;
}

/** What a service's `compose` builds over the connected broker. */
export interface ServiceParts {
  /** The HTTP app, not listening yet. */
  readonly app: FastifyInstance;
  /** Attached once HTTP listens; closed first on shutdown, after HTTP. */
  readonly consumers?: readonly WorkConsumer[];
  /** Shutdown steps after the consumers and before the config bus: background work hands over, publishers confirm. */
  readonly stopSteps?: readonly ShutdownStep[];
  /** Logs the service's "listening" line. */
  listening(port: number): void;
}

/**
 * One service's assembly, in the order every service starts: `open` what it keeps (its store), connect the
 * broker, `compose` the rest over it. The shared part (broker connection and its startup error, the config
 * bus, log-level following, the broker and bus health checks, the shutdown order) is the runtime's.
 */
export interface ServiceDefinition<C extends ServiceConfig, O, P extends ServiceParts> {
  readonly name: string;
  /** Broker connection options beyond the shared ones (url, connection name, logger, metrics, app id). */
  readonly broker?: Pick<AmqpTransportOptions, 'publishWaitMs' | 'closeTimeoutMs'>;
  /** Opens what must exist before the broker is dialled (the store); registers its health checks. */
  open(context: ServiceContext<C>): O | Promise<O>;
  /** Closes what `open` opened: the last shutdown step, and the clean-up when the broker cannot be reached. */
  close?(opened: O): Promise<void>;
  compose(context: ServiceContext<C>, opened: O, transport: Transport): P | Promise<P>;
}
