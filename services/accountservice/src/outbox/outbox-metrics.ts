import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { OutboxReader } from '../store/outbox-store.js';
import type { NotificationOutbox } from '../domain/notification.js';

/** The outbox's depth and age as a snapshot, for /health and logs. */
export interface OutboxStatus {
  readonly depth: number;
  /** Age of the oldest entry in seconds; 0 when empty. */
  readonly oldestAgeSeconds: number;
}

export function outboxStatus(outbox: OutboxReader, now: number = Date.now()): OutboxStatus {
  const oldest = outbox.oldestRecordedAt();
  return {
    depth: outbox.depth,
    oldestAgeSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
  };
}

/**
 * Prometheus view of the outbox: a growing depth or an ageing oldest entry means notifications are not
 * getting out (broker away, queue refusing them) and is meant to be alerted on.
 */
export class OutboxMetrics {
  readonly published: Counter;
  readonly publishFailures: Counter<'code'>;
  readonly discarded: Counter;
  readonly recordSeconds: Histogram;
  readonly deferring: Gauge;

  constructor(registry: Registry, outbox: OutboxReader) {
    new Gauge({
      name: 'outbox_depth',
      help: 'VIP notifications recorded and not yet confirmed by the broker',
      registers: [registry],
      collect() {
        this.set(outbox.depth);
      },
    });
    new Gauge({
      name: 'outbox_oldest_entry_age_seconds',
      help: 'Age of the oldest VIP notification waiting in the outbox (0 when empty)',
      registers: [registry],
      collect() {
        this.set(outboxStatus(outbox).oldestAgeSeconds);
      },
    });
    this.published = new Counter({
      name: 'outbox_published_total',
      help: 'VIP notifications confirmed by the broker and removed from the outbox',
      registers: [registry],
    });
    this.publishFailures = new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Failed publish attempts of outbox entries, by error code (each is retried)',
      labelNames: ['code'] as const,
      registers: [registry],
    });
    this.discarded = new Counter({
      name: 'outbox_discarded_total',
      help: 'Outbox entries dropped because they can never be published (damaged); should stay 0',
      registers: [registry],
    });
    this.deferring = new Gauge({
      name: 'outbox_relay_deferring',
      help: '1 while the relay defers delivery because requests saturate the service (bounded by maxDeferMs)',
      registers: [registry],
    });
    this.recordSeconds = new Histogram({
      name: 'outbox_record_duration_seconds',
      help: 'Time to record a VIP notification durably (the LMDB commit a VIP read waits for before its 200)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    });
  }

  /** `outbox` with each record() timed into outbox_record_duration_seconds. */
  timed(outbox: NotificationOutbox): NotificationOutbox {
    const histogram = this.recordSeconds;
    return {
      record(notification) {
        const started = performance.now();
        return outbox.record(notification).then(() => {
          histogram.observe((performance.now() - started) / 1000);
        });
      },
    };
  }
}
