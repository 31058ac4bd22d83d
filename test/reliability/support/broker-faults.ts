// The broker faults of the scenarios, on a broker of the scenario's own (usePrivateBroker): stopping it or
// closing its connections disturbs nobody else, so the other test files run on the shared broker meanwhile.
import type { BrokerInstance } from '@goblog/testkit';

/** rabbitmqctl stop_app: the broker application goes away, every connection drops. */
export async function stopBroker(broker: BrokerInstance): Promise<void> {
  await broker.stopApp();
}

/** rabbitmqctl start_app + await_startup; resolves with the moment the broker accepts connections again. */
export async function startBroker(broker: BrokerInstance): Promise<number> {
  await broker.startApp();
  return Date.now();
}

/** rabbitmqctl close_all_connections: every client connection of the broker is closed at once. */
export async function closeAllConnections(broker: BrokerInstance): Promise<number> {
  await broker.ctl('close_all_connections', 'goblog reliability suite: connections force-closed');
  return Date.now();
}
