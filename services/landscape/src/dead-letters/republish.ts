import type { ConfirmChannel, GetMessage, Options } from 'amqplib';
import { HeaderNames, notCopiedHeaders } from '@goblog/messaging';
import { REPLAY_COUNT_HEADER, replayCountOf } from './message-view.js';

/**
 * Headers a replayed copy leaves behind: those no republished message keeps (the broker's dead-letter
 * records and delivery count, which it maintains, and the distribution headers it would act on), and our
 * consumers' record of the failure. A replayed message is a fresh try: the consumer's retry count starts
 * again, so it gets every retry a new message gets.
 */
const DROPPED = new Set<string>([
  ...notCopiedHeaders,
  HeaderNames.retryCount,
  HeaderNames.deathReason,
  HeaderNames.error,
  HeaderNames.originalQueue,
  HeaderNames.deadLetteredAt,
  HeaderNames.droppedProperties,
]);

/** The copy's properties: the original's (message_id first of all), persistent, replay count + 1. */
export function replayProperties(message: GetMessage): Options.Publish {
  const headers = headersWithout(message, DROPPED);
  headers[REPLAY_COUNT_HEADER] = replayCountOf(message) + 1;
  return copiedProperties(message, headers);
}

/**
 * A parked message put back is the same parked message: its dead-letter records stay (they are what the
 * page shows), only the delivery count the broker keeps and the distribution headers it would act on go
 * (a copy keeping `CC: [<work queue>]` would also be routed to the work queue).
 */
const PUT_BACK_DROPPED = new Set(['x-delivery-count', 'CC', 'BCC']);

/** The properties of an identical copy of a parked message, for putting it back (see DeadLetterQueues). */
export function putBackProperties(message: GetMessage): Options.Publish {
  return copiedProperties(message, headersWithout(message, PUT_BACK_DROPPED));
}

function headersWithout(message: GetMessage, dropped: ReadonlySet<string>): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message.properties.headers ?? {})) {
    if (!dropped.has(key) && key !== '__proto__') headers[key] = value;
  }
  return headers;
}

function copiedProperties(message: GetMessage, headers: Record<string, unknown>): Options.Publish {
  const p = message.properties;
  const props: Options.Publish = { persistent: true, mandatory: true, headers };
  if (typeof p.messageId === 'string') props.messageId = p.messageId;
  if (typeof p.contentType === 'string') props.contentType = p.contentType;
  if (typeof p.contentEncoding === 'string') props.contentEncoding = p.contentEncoding;
  if (typeof p.type === 'string') props.type = p.type;
  if (typeof p.appId === 'string') props.appId = p.appId;
  if (typeof p.timestamp === 'number') props.timestamp = p.timestamp;
  if (typeof p.correlationId === 'string') props.correlationId = p.correlationId;
  if (typeof p.priority === 'number') props.priority = p.priority;
  return props;
}

/**
 * Publishes a copy of `message` to `queue` (default exchange, mandatory) and resolves once the broker has
 * confirmed it: 'confirmed', or 'returned' when no queue of that name took it. Rejects when the broker
 * nacks it or the channel closes first (then whether it arrived is unknown: its message_id is kept, so a
 * second copy is absorbed by the consumer's dedup).
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  queue: string,
  message: GetMessage,
  properties: Options.Publish = replayProperties(message),
): Promise<'confirmed' | 'returned'> {
  return new Promise((resolve, reject) => {
    let returned = false;
    // One publish in flight per channel at a time: a return seen before the confirm is this message's.
    const onReturn = (): void => {
      returned = true;
    };
    channel.on('return', onReturn);
    channel.publish('', queue, message.content, properties, (err: unknown) => {
      channel.off('return', onReturn);
      if (err) reject(err instanceof Error ? err : new Error('the broker refused the message'));
      else resolve(returned ? 'returned' : 'confirmed');
    });
  });
}
