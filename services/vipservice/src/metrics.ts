import { Tallies } from '@goblog/messaging';
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

  constructor(
    registry: Registry,
    store: { offerCount(): number | Promise<number>; dedupRecords(): number | Promise<number> },
  ) {
    // Counted in plain numbers, added to the counter when scraped: the hot path does no label hashing.
    const tallies = new Tallies<'outcome'>();
    const notifications = new Counter({
      name: 'vipservice_notifications_total',
      help: 'VIP notifications handled, by outcome (recorded on an offer, or a duplicate that changed nothing)',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect: tallies.collect,
    });
    this.#outcomes = {
      recorded: tallies.of(notifications, { outcome: 'recorded' }),
      duplicate: tallies.of(notifications, { outcome: 'duplicate' }),
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
      // A database that does not answer keeps the last value (the database check of /health says why).
      async collect() {
        const value = await Promise.resolve(store.offerCount()).catch(() => undefined);
        if (value !== undefined) this.set(value);
      },
    });
    new Gauge({
      name: 'vipservice_dedup_records',
      help: 'Dedup records kept (message ids and body digests within the retention)',
      registers: [registry],
      async collect() {
        const value = await Promise.resolve(store.dedupRecords()).catch(() => undefined);
        if (value !== undefined) this.set(value);
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
