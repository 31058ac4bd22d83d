import { HeaderNames, republishHeaders, SHORTSTR_MAX_BYTES, unencodableHeaderNames } from '../headers.js';
import type { PublishProperties, ReceivedProperties } from './properties.js';

/** The short-string properties a parked or delayed copy keeps from the received message. */
const kept = ['contentType', 'contentEncoding', 'messageId', 'correlationId', 'type', 'appId'] as const;

/**
 * The properties of a copy of a received message for the delay or dead-letter queue: persistent and mandatory, the
 * received properties that can be encoded again, the received headers minus the ones not to copy, plus
 * `ours`. A property or header that could not be encoded again is left out and named in
 * `x-dropped-properties`, so that one odd property cannot keep a message from being parked.
 */
export function republishProps(p: ReceivedProperties, ours: Record<string, unknown>): PublishProperties {
  const props: PublishProperties = { persistent: true, mandatory: true };
  const dropped: string[] = [];
  for (const name of kept) {
    const value = p[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' && Buffer.byteLength(value) <= SHORTSTR_MAX_BYTES) props[name] = value;
    else dropped.push(name);
  }
  if (typeof p.timestamp === 'number') props.timestamp = p.timestamp;
  const received = isTable(p.headers) ? p.headers : undefined;
  dropped.push(...unencodableHeaderNames(received));
  const headers = republishHeaders(received, ours);
  if (dropped.length > 0) headers[HeaderNames.droppedProperties] = dropped.join(',');
  props.headers = headers;
  return props;
}

/**
 * The last resort when the broker client still cannot encode the copy: only our own headers and the
 * properties we set ourselves. The body is kept as it is.
 */
export function bareRepublishProps(
  full: PublishProperties,
  ours: Record<string, unknown>,
): PublishProperties {
  return {
    persistent: true,
    mandatory: true,
    messageId: full.messageId,
    timestamp: full.timestamp,
    headers: { ...ours, [HeaderNames.droppedProperties]: '*' },
  };
}

function isTable(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
