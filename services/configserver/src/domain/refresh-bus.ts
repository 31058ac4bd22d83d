import { busEventType, refreshEvent, type BusEvent } from '@goblog/config';
import type { Publisher } from '@goblog/messaging';
import type { Counter } from 'prom-client';

/** Announces configuration changes on the Spring Cloud Bus. */
export interface RefreshBus {
  /**
   * Publishes a RefreshRemoteApplicationEvent for `destinationService` (already in `app:**` form).
   * Resolves with the event once the broker has confirmed it; rejects with a MessagingError otherwise.
   */
  publishRefresh(destinationService: string, trigger: string): Promise<BusEvent>;
}

export function createRefreshBus(options: {
  publisher: Publisher;
  exchange: string;
  /** This server's bus id, e.g. `configserver:8888`; read at publish time (the port is known after listen). */
  originService: () => string;
  /** Counts published events by what triggered them (busrefresh, monitor, watch). */
  published?: Counter<'trigger'>;
}): RefreshBus {
  const type = busEventType(options.exchange);
  return {
    async publishRefresh(destinationService, trigger) {
      const event = refreshEvent(options.originService(), destinationService);
      await options.publisher.publish(type, event, { messageId: event.id, timestamp: event.timestamp });
      options.published?.inc({ trigger });
      return event;
    },
  };
}
