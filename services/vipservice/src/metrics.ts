import { Counter, Gauge, type Registry } from 'prom-client';
import type { RecordOutcome } from './domain/offer.js';

/**
 * The vipservice's own metrics (the messaging_* family covers consume, ack, retry and dead letters):
 * vipservice_notifications_total{outcome="recorded"|"duplicate"}, vipservice_dedup_pruned_total, and, read
 * from the store at scrape time, vipservice_offers and vipservice_dedup_records.
 */
export class VipMetrics {
  readonly #outcomes: Record<RecordOutcome, { inc(): void }>;
  readonly #pruned: Counter;

  constructor(registry: Registry, store: { offerCount(): number; dedupRecords(): number }) {
    const notifications = new Counter({
      name: 'vipservice_notifications_total',
      help: 'VIP notifications handled, by outcome (recorded on an offer, or a duplicate that changed nothing)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    // Children bound once: the hot path does no label hashing.
    this.#outcomes = {
      recorded: notifications.labels('recorded'),
      duplicate: notifications.labels('duplicate'),
    };
    this.#pruned = new Counter({
      name: 'vipservice_dedup_pruned_total',
      help: 'Dedup records removed after their retention',
      registers: [registry],
    });
    new Gauge({
      name: 'vipservice_offers',
      help: 'Offers in the store',
      registers: [registry],
      collect() {
        this.set(store.offerCount());
      },
    });
    new Gauge({
      name: 'vipservice_dedup_records',
      help: 'Dedup records kept (message ids and body digests within the retention)',
      registers: [registry],
      collect() {
        this.set(store.dedupRecords());
      },
    });
  }

  handled(outcome: RecordOutcome): void {
    this.#outcomes[outcome].inc();
  }

  pruned(count: number): void {
    this.#pruned.inc(count);
  }
}
