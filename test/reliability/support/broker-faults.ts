// The broker faults of the scenarios. They disturb every client of the shared broker, so each is as short as
// the issue allows, and `restoreBroker` (run in `after` hooks, whatever happened) leaves the broker running.
import { BROKER_VHOST, rabbitmqctl } from '@goblog/testkit';

let stopped = false;

/** rabbitmqctl stop_app: the broker application goes away, every connection drops. */
export async function stopBroker(): Promise<void> {
  stopped = true;
  await rabbitmqctl('stop_app');
}

/** rabbitmqctl start_app + await_startup; resolves with the moment the broker accepts connections again. */
export async function startBroker(): Promise<number> {
  await rabbitmqctl('start_app');
  await rabbitmqctl('await_startup');
  stopped = false;
  return Date.now();
}

/**
 * rabbitmqctl close_all_connections: every client connection of the suite's vhost is closed at once (only
 * that vhost's: other users of a shared broker keep theirs).
 */
export async function closeAllConnections(): Promise<number> {
  await rabbitmqctl(
    'close_all_connections',
    '-p',
    BROKER_VHOST,
    'goblog reliability suite: connections force-closed',
  );
  return Date.now();
}

/**
 * Leaves the broker application running, whatever a scenario did: start_app (a no-op on a running broker,
 * retried once) and await_startup. For `after` hooks.
 */
export async function restoreBroker(): Promise<void> {
  await rabbitmqctl('start_app').catch(() => rabbitmqctl('start_app'));
  await rabbitmqctl('await_startup');
  stopped = false;
}

/** Whether this process stopped the broker and has not started it again. */
export function brokerStoppedByUs(): boolean {
  return stopped;
}
