import { hostname } from 'node:os';
import { ANNOUNCE_INTERVAL_MS, instanceAnnouncementType } from '@goblog/contracts';
import type { InstanceAnnouncement } from '@goblog/contracts';
import type { Transport } from '@goblog/messaging';
import { instanceAddress } from './address.js';
import type { ServiceConfig, ServiceContext } from './service-definition.js';

/** The longest the farewell announcement may hold up a shutdown. */
const FAREWELL_WAIT_MS = 1000;

export interface Announcer {
  /** Says `leaving` (bounded wait), then stops announcing. Safe to call twice, and before start. */
  stop(): Promise<void>;
}

/**
 * Announces this instance on the bus's announcement exchange (see @goblog/contracts) now and every
 * ANNOUNCE_INTERVAL_MS, so that the landscape finds it without configuration. Best effort by design: an
 * announcement that cannot go out (broker away) is skipped, never queued, and never affects the service;
 * at most one is in flight at a time.
 */
export function startAnnouncing(
  context: ServiceContext<ServiceConfig>,
  transport: Transport,
  port: number,
): Announcer {
  const type = instanceAnnouncementType(context.config.config_event_bus);
  const publisher = transport.createPublisher();
  const base = {
    service: context.name,
    instanceId: context.instanceId,
    host: hostname().slice(0, 255) || 'localhost',
    address: instanceAddress(port),
    port,
    pid: process.pid,
    startedAt: new Date(Date.now() - Math.round(process.uptime() * 1000)).toISOString(),
    intervalMs: ANNOUNCE_INTERVAL_MS,
  };
  let inFlight: Promise<void> | undefined;
  const announce = (state: InstanceAnnouncement['state']): Promise<void> => {
    inFlight ??= publisher
      .publish(type, { ...base, state })
      .catch((err: unknown) => {
        context.logger.debug({ err }, 'instance announcement not sent');
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  void announce('up');
  const timer = setInterval(() => void announce('up'), ANNOUNCE_INTERVAL_MS);
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await inFlight;
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([
          announce('leaving'),
          new Promise<void>((resolve) => (wait = setTimeout(resolve, FAREWELL_WAIT_MS))),
        ]);
        clearTimeout(wait);
        await publisher.close();
      })();
      return stopped;
    },
  };
}
