import { createHash } from 'node:crypto';
import type { GetMessage } from 'amqplib';
import { HeaderNames } from '@goblog/messaging';

/** Our own header on a replayed message: how many times it was replayed from a dead-letter queue. */
export const REPLAY_COUNT_HEADER = 'x-replay-count';

const BODY_PREVIEW_BYTES = 2048;
const HEADER_VALUE_CHARS = 500;
const MAX_HEADERS = 50;

/** A dead-lettered message as the page and GET /api/queues/{queue}/messages show it. */
export interface DeadLetterView {
  /** What replay and discard select it by: its message_id, or a digest of its body when it has none. */
  readonly key: string;
  readonly messageId: string | null;
  /** x-death-reason (our consumers) or the broker's own reason (a quorum queue's delivery limit). */
  readonly reason: string | null;
  readonly error: string | null;
  readonly originalQueue: string | null;
  readonly deadLetteredAt: string | null;
  readonly replayCount: number;
  readonly properties: Readonly<Record<string, string | number | null>>;
  readonly headers: Readonly<Record<string, unknown>>;
  /** The body as UTF-8 text, cut at a preview length. */
  readonly body: string;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
}

/** The view of one message: every value from outside bounded in size, the prototype keys skipped. */
export function viewOf(message: GetMessage): DeadLetterView {
  const props = message.properties;
  const headers = (props.headers ?? {}) as Record<string, unknown>;
  const firstDeath = Array.isArray(headers['x-death'])
    ? (headers['x-death'][0] as Record<string, unknown>)
    : {};
  const text = (value: unknown): string | null =>
    typeof value === 'string'
      ? value.slice(0, HEADER_VALUE_CHARS)
      : Buffer.isBuffer(value)
        ? value.toString('utf8', 0, HEADER_VALUE_CHARS)
        : null;
  const body = message.content;
  return {
    key: keyOf(message),
    messageId: typeof props.messageId === 'string' ? props.messageId.slice(0, 255) : null,
    reason:
      text(headers[HeaderNames.deathReason]) ??
      text(headers['x-first-death-reason']) ??
      text(firstDeath.reason),
    error: text(headers[HeaderNames.error]),
    originalQueue: originalQueueOf(message),
    deadLetteredAt: text(headers[HeaderNames.deadLetteredAt]) ?? deathTime(firstDeath.time),
    replayCount: replayCountOf(message),
    properties: {
      contentType: text(props.contentType),
      type: text(props.type),
      appId: text(props.appId),
      timestamp: typeof props.timestamp === 'number' ? props.timestamp : null,
      deliveryMode: typeof props.deliveryMode === 'number' ? props.deliveryMode : null,
      correlationId: text(props.correlationId),
    },
    headers: plainHeaders(headers),
    body: body.toString('utf8', 0, BODY_PREVIEW_BYTES),
    bodyBytes: body.length,
    bodyTruncated: body.length > BODY_PREVIEW_BYTES,
  };
}

/** message_id when it has a usable one, else a digest of the body (the vipservice dedups by the same). */
export function keyOf(message: GetMessage): string {
  const id = message.properties.messageId as unknown;
  if (typeof id === 'string' && id !== '' && id.length <= 255) return id;
  return `sha256:${createHash('sha256').update(message.content).digest('hex').slice(0, 32)}`;
}

/** The queue the message was dead-lettered from: our header, else the broker's x-death record. */
export function originalQueueOf(message: GetMessage): string | null {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const ours = headers[HeaderNames.originalQueue];
  if (typeof ours === 'string') return ours;
  const first = headers['x-first-death-queue'];
  if (typeof first === 'string') return first;
  const death = Array.isArray(headers['x-death'])
    ? (headers['x-death'][0] as { queue?: unknown } | undefined)
    : undefined;
  return typeof death?.queue === 'string' ? death.queue : null;
}

export function replayCountOf(message: GetMessage): number {
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const value = headers[REPLAY_COUNT_HEADER];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

function deathTime(value: unknown): string | null {
  // amqplib decodes an AMQP timestamp as { '!': 'timestamp', value: seconds }.
  const seconds =
    typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : undefined;
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
}

function plainHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(headers).slice(0, MAX_HEADERS)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    out[key.slice(0, 100)] = plainValue(value);
  }
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'string') return value.slice(0, HEADER_VALUE_CHARS);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8', 0, HEADER_VALUE_CHARS);
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? null : json.slice(0, HEADER_VALUE_CHARS);
}
