import type { Sample } from './prometheus.js';
import { total } from './prometheus.js';

/** An instance's key figures, read from its /metrics: what an operator looks at first for that service. */
export type Figures = Readonly<Record<string, number>>;

/** Counters whose per-second rate the page draws on the paths of the landscape. */
export interface Counters {
  /** Messages this instance had confirmed by the broker (all destinations). */
  readonly published?: number;
  /** VIP notifications handed to the broker by an accountservice's outbox relay. */
  readonly notificationsSent?: number;
  /** VIP notifications handled by a vipservice (recorded and duplicates). */
  readonly notificationsHandled?: number;
  /** Messages this instance parked in a dead-letter queue. */
  readonly deadLettered?: number;
  /** Refresh events a configserver put on the bus. */
  readonly busEvents?: number;
}

/** The figures of one scrape, by service: outbox depth and age, notifications counted and duplicates, ... */
export function figuresOf(
  service: string,
  samples: readonly Sample[],
): { figures: Figures; counters: Counters } {
  const figures: Record<string, number> = {};
  const put = (key: string, value: number | undefined): void => {
    if (value !== undefined) figures[key] = value;
  };
  const counters: Record<string, number> = {};
  const count = (key: keyof Counters, value: number | undefined): void => {
    if (value !== undefined) counters[key] = value;
  };
  count('published', total(samples, 'messaging_confirmed_total'));
  count('deadLettered', total(samples, 'messaging_dead_lettered_total'));
  if (service === 'accountservice') {
    put('outboxDepth', total(samples, 'outbox_depth'));
    put('outboxOldestAgeSeconds', total(samples, 'outbox_oldest_entry_age_seconds'));
    put('notificationsSent', total(samples, 'outbox_published_total'));
    count('notificationsSent', total(samples, 'outbox_published_total'));
  } else if (service === 'vipservice') {
    const recorded = total(samples, 'vipservice_notifications_total', { outcome: 'recorded' });
    const duplicate = total(samples, 'vipservice_notifications_total', { outcome: 'duplicate' });
    put('notificationsCounted', recorded ?? 0);
    put('duplicatesAbsorbed', duplicate ?? 0);
    put('offers', total(samples, 'vipservice_offers'));
    put('deadLettered', total(samples, 'messaging_dead_lettered_total') ?? 0);
    count('notificationsHandled', (recorded ?? 0) + (duplicate ?? 0));
  } else if (service === 'configserver') {
    put('busEvents', total(samples, 'configserver_bus_events_published_total') ?? 0);
    count('busEvents', total(samples, 'configserver_bus_events_published_total') ?? 0);
  }
  return { figures, counters };
}

/** Per-second rates between two readings of the counters (a counter that went down restarted: no rate). */
export function ratesBetween(
  before: { readonly at: number; readonly counters: Counters } | undefined,
  now: { readonly at: number; readonly counters: Counters } | undefined,
): Readonly<Record<string, number>> {
  const rates: Record<string, number> = {};
  if (!before || !now || now.at <= before.at) return rates;
  const seconds = (now.at - before.at) / 1000;
  for (const [key, value] of Object.entries(now.counters)) {
    const previous = before.counters[key as keyof Counters];
    if (previous !== undefined && value >= previous) rates[key] = (value - previous) / seconds;
  }
  return rates;
}
