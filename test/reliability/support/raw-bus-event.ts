// A RefreshRemoteApplicationEvent published on a config bus by a plain amqplib client, as any broker user
// could: nothing of the project's messaging code sits between the test and the services.
import { randomUUID } from 'node:crypto';
import { plainChannel } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';

/** Publishes Spring's JSON for a refresh of `destinationService` on `bus`; resolves with the event id. */
export async function publishRawRefresh(bus: string, destinationService: string): Promise<string> {
  const ids = await publishRawRefreshes(bus, [destinationService]);
  return ids[0] ?? '';
}

/** Publishes one event per destination, in order, on one channel; resolves with their ids once confirmed. */
export async function publishRawRefreshes(bus: string, destinations: readonly string[]): Promise<string[]> {
  const { connection } = await plainChannel();
  try {
    const channel = await connection.createConfirmChannel();
    const ids: string[] = [];
    for (const destinationService of destinations) {
      const id = randomUUID();
      const event = {
        type: 'RefreshRemoteApplicationEvent',
        timestamp: Date.now(),
        originService: 'outsider:0',
        destinationService,
        id,
      };
      channel.publish(bus, bus, Buffer.from(JSON.stringify(event)), {
        contentType: 'application/json',
        messageId: id,
      });
      ids.push(id);
    }
    await channel.waitForConfirms();
    return ids;
  } finally {
    await connection.close();
  }
}

/** Resolves with the service's log line saying how it handled bus event `eventId` ('applied', 'ignored'). */
export function busEventHandled(
  service: RunningService,
  eventId: string,
  how: 'applied' | 'ignored',
  timeoutMs = 15_000,
): Promise<string> {
  const line = new RegExp(
    `"eventId":"${eventId}".*bus refresh ${how}|bus refresh ${how}.*"eventId":"${eventId}"`,
  );
  return service.waitForLine(line, timeoutMs);
}
