import { silentLogger, type Logger, type Subscription, type Transport } from '@goblog/messaging';
import { inSpan, scopeTracer } from '@goblog/telemetry';
import { REFRESH_EVENT, busEventType } from './bus-event.js';
import { matchesDestination } from './destination.js';
import { isConfigError } from './errors.js';
import type { LiveConfig } from './live-config.js';

const tracer = scopeTracer('@goblog/config');

export interface RefreshSubscriptionOptions {
  readonly transport: Transport;
  readonly live: LiveConfig<unknown>;
  readonly application: string;
  /** This instance's bus id, `<application>:<port>`, matched against each event's destinationService. */
  readonly instanceId: string;
  /** The bus exchange (config_event_bus), normally `springCloudBus`. */
  readonly bus: string;
  readonly logger?: Logger;
}

/**
 * Listens on the config bus through a queue of this instance's own (exclusive, auto-delete, bound with `#`)
 * and refreshes `live` on each RefreshRemoteApplicationEvent addressed to `instanceId` by Spring's rules.
 * Other event types, events for other instances and this instance's own events are ignored. A refresh
 * that fails (invalid or unreachable configuration) logs one line and keeps the old configuration; the
 * event is still acknowledged, since trying again would fail the same way. Resolves once consuming.
 */
export function subscribeToRefresh(options: RefreshSubscriptionOptions): Promise<Subscription> {
  const logger = options.logger ?? silentLogger;
  return options.transport.subscribe(
    busEventType(options.bus),
    async (event) => {
      const context = {
        eventId: shorten(event.id),
        eventType: shorten(event.type),
        destination: shorten(event.destinationService),
      };
      if (event.type !== REFRESH_EVENT) {
        logger.debug(context, 'bus event ignored: not a refresh');
        return;
      }
      if (event.originService === options.instanceId) return;
      if (!matchesDestination(event.destinationService, options.instanceId)) {
        logger.debug(context, `bus refresh ignored: not addressed to ${options.instanceId}`);
        return;
      }
      try {
        const { changed } = await inSpan(tracer(), 'reload configuration', () => options.live.refresh());
        logger.info(
          { ...context, changed },
          `bus refresh applied: ${changed.length ? changed.join(', ') : 'no change'}`,
        );
      } catch (err) {
        const problem = isConfigError(err) ? err.message : err instanceof Error ? err.message : String(err);
        logger.error(
          { ...context, code: isConfigError(err) ? err.code : undefined },
          `bus refresh rejected, keeping the current configuration: ${problem}`,
        );
      }
    },
    // One at a time: refreshes are ordered anyway, and a burst of events must not pile up fetches.
    { consumerName: `anonymous.${options.application}`, bindingKey: '#', prefetch: 1, concurrency: 1 },
  );
}

/** Event fields come from anyone who can publish on the bus: bounded before they are logged. */
const LOGGED_FIELD_LENGTH = 120;

function shorten(text: string | null | undefined): string | null | undefined {
  if (typeof text !== 'string' || text.length <= LOGGED_FIELD_LENGTH) return text;
  return `${text.slice(0, LOGGED_FIELD_LENGTH)}... (${text.length} characters)`;
}
