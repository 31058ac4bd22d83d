import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MessagingErrorCode } from './errors.js';
import { TalliedHistogram } from './tallied-histogram.js';
import { Tallies } from './tally.js';
import type { ConnectionState } from './transport.js';

/** What a publisher reports per destination. Children are bound once, so the hot path does no label hashing. */
export interface PublishStats {
  published(): void;
  confirmed(seconds: number): void;
  failed(code: MessagingErrorCode): void;
}

/** What a consumer reports. */
export interface ConsumeStats {
  consumed(): void;
  acked(): void;
  handlerDone(seconds: number): void;
  retried(kind: 'immediate' | 'delayed'): void;
  deadLettered(reason: string): void;
  dropped(reason: string): void;
}

const noop = (): void => undefined;
export const noPublishStats: PublishStats = { published: noop, confirmed: noop, failed: noop };
export const noConsumeStats: ConsumeStats = {
  consumed: noop,
  acked: noop,
  handlerDone: noop,
  retried: noop,
  deadLettered: noop,
  dropped: noop,
};

const STATES: readonly ConnectionState[] = ['connecting', 'connected', 'disconnected', 'closed'];

/**
 * Prometheus metrics of one process's messaging, registered on the registry you pass (share one
 * MessagingMetrics between the transports of a process). Names:
 * messaging_published_total, messaging_confirmed_total, messaging_publish_failures_total{code},
 * messaging_confirm_latency_seconds (by `destination`); messaging_consumed_total, messaging_acked_total,
 * messaging_retried_total{kind}, messaging_dead_lettered_total{reason}, messaging_dropped_total{reason},
 * messaging_handler_duration_seconds (by `consumer`); messaging_connection_state{connection,state} (1 = current);
 * messaging_broker_node{connection,node} (1 for the broker node the connection is on; absent while none).
 */
export class MessagingMetrics {
  private readonly published: Counter<'destination'>;
  private readonly confirmed: Counter<'destination'>;
  private readonly publishFailures: Counter<'destination' | 'code'>;
  private readonly confirmLatency: Histogram<'destination'>;
  private readonly consumedTotal: Counter<'consumer'>;
  private readonly ackedTotal: Counter<'consumer'>;
  private readonly retriedTotal: Counter<'consumer' | 'kind'>;
  private readonly deadLetteredTotal: Counter<'consumer' | 'reason'>;
  private readonly droppedTotal: Counter<'consumer' | 'reason'>;
  private readonly handlerDuration: TalliedHistogram<'consumer'>;
  private readonly connectionState: Gauge<'connection' | 'state'>;
  private readonly brokerNode: Gauge<'connection' | 'node'>;
  private readonly nodeOf = new Map<string, string>();
  /** The per-message counters of consumers: increments kept in numbers, flushed at scrape time. */
  private readonly consumedTallies = new Tallies<'consumer'>();
  private readonly ackedTallies = new Tallies<'consumer'>();
  private readonly publishStats = new Map<string, PublishStats>();
  private readonly consumeStats = new Map<string, ConsumeStats>();

  constructor(registry: Registry, options: { readonly prefix?: string } = {}) {
    const p = options.prefix ?? 'messaging_';
    const registers = [registry];
    const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.published = new Counter({
      name: `${p}published_total`,
      help: 'Messages handed to the broker',
      labelNames: ['destination'],
      registers,
    });
    this.confirmed = new Counter({
      name: `${p}confirmed_total`,
      help: 'Messages the broker confirmed',
      labelNames: ['destination'],
      registers,
    });
    this.publishFailures = new Counter({
      name: `${p}publish_failures_total`,
      help: 'Publishes that failed, by error code',
      labelNames: ['destination', 'code'],
      registers,
    });
    this.confirmLatency = new Histogram({
      name: `${p}confirm_latency_seconds`,
      help: 'Time from writing a message to its broker confirm',
      labelNames: ['destination'],
      buckets: latencyBuckets,
      registers,
    });
    this.consumedTotal = new Counter({
      name: `${p}consumed_total`,
      help: 'Messages delivered to a consumer',
      labelNames: ['consumer'],
      registers,
      collect: this.consumedTallies.collect,
    });
    this.ackedTotal = new Counter({
      name: `${p}acked_total`,
      help: 'Messages acknowledged after their handler succeeded',
      labelNames: ['consumer'],
      registers,
      collect: this.ackedTallies.collect,
    });
    this.retriedTotal = new Counter({
      name: `${p}retried_total`,
      help: 'Handler failures that led to a retry (immediate, or through the delay queue)',
      labelNames: ['consumer', 'kind'],
      registers,
    });
    this.deadLetteredTotal = new Counter({
      name: `${p}dead_lettered_total`,
      help: 'Messages parked in a dead-letter queue',
      labelNames: ['consumer', 'reason'],
      registers,
    });
    this.droppedTotal = new Counter({
      name: `${p}dropped_total`,
      help: 'Pub/sub messages given up on (no dead-letter queue for a private queue)',
      labelNames: ['consumer', 'reason'],
      registers,
    });
    // Observed once per message: a histogram whose bound children do no label work per observation.
    this.handlerDuration = new TalliedHistogram<'consumer'>({
      name: `${p}handler_duration_seconds`,
      help: 'Handler run time, per attempt',
      buckets: latencyBuckets,
      registers,
    });
    this.connectionState = new Gauge({
      name: `${p}connection_state`,
      help: 'Broker connection state (1 for the current state)',
      labelNames: ['connection', 'state'],
      registers,
    });
    this.brokerNode = new Gauge({
      name: `${p}broker_node`,
      help: 'The broker node (host:port) each connection is on (1); absent while it is on none',
      labelNames: ['connection', 'node'],
      registers,
    });
  }

  /** @internal Stats bound to one destination. */
  forDestination(destination: string): PublishStats {
    let stats = this.publishStats.get(destination);
    if (stats) return stats;
    const published = this.published.labels(destination);
    const confirmed = this.confirmed.labels(destination);
    const latency = this.confirmLatency.labels(destination);
    stats = {
      published: () => {
        published.inc();
      },
      confirmed: (seconds) => {
        confirmed.inc();
        latency.observe(seconds);
      },
      failed: (code) => {
        this.publishFailures.inc({ destination, code });
      },
    };
    this.publishStats.set(destination, stats);
    return stats;
  }

  /** @internal Stats bound to one consumer. */
  forConsumer(consumer: string): ConsumeStats {
    let stats = this.consumeStats.get(consumer);
    if (stats) return stats;
    const consumed = this.consumedTallies.of(this.consumedTotal, { consumer });
    const acked = this.ackedTallies.of(this.ackedTotal, { consumer });
    const duration = this.handlerDuration.child({ consumer });
    stats = {
      consumed: () => {
        consumed.inc();
      },
      acked: () => {
        acked.inc();
      },
      handlerDone: (seconds) => {
        duration.observe(seconds);
      },
      retried: (kind) => {
        this.retriedTotal.inc({ consumer, kind });
      },
      deadLettered: (reason) => {
        this.deadLetteredTotal.inc({ consumer, reason });
      },
      dropped: (reason) => {
        this.droppedTotal.inc({ consumer, reason });
      },
    };
    this.consumeStats.set(consumer, stats);
    return stats;
  }

  /** @internal The broker node (host:port) `connection` is on now; undefined while it is on none. */
  setBrokerNode(connection: string, node: string | undefined): void {
    const previous = this.nodeOf.get(connection);
    if (previous !== undefined) this.brokerNode.remove({ connection, node: previous });
    this.nodeOf.delete(connection);
    if (node === undefined) return;
    this.nodeOf.set(connection, node);
    this.brokerNode.set({ connection, node }, 1);
  }

  /** @internal */
  setConnectionState(connection: string, state: ConnectionState): void {
    for (const s of STATES) this.connectionState.set({ connection, state: s }, s === state ? 1 : 0);
  }
}
