import { HeaderNames } from '../headers.js';
import type { MessageMeta } from '../transport.js';

/** The AMQP basic properties a consumer reads (as amqplib decodes them; the in-memory broker mirrors them). */
export interface WireProperties {
  readonly messageId?: unknown;
  /** Seconds since epoch, as AMQP carries it. */
  readonly timestamp?: unknown;
  readonly type?: unknown;
  readonly appId?: unknown;
  readonly headers?: unknown;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export function buildMeta(body: Buffer, p: WireProperties, redelivered: boolean): MessageMeta {
  const headers =
    typeof p.headers === 'object' && p.headers !== null
      ? (p.headers as Readonly<Record<string, unknown>>)
      : EMPTY;
  const retry = headers[HeaderNames.retryCount];
  const traceparent = headers[HeaderNames.traceparent];
  return {
    messageId: str(p.messageId),
    timestamp: typeof p.timestamp === 'number' ? p.timestamp * 1000 : undefined,
    type: str(p.type),
    appId: str(p.appId),
    redelivered,
    retryCount: typeof retry === 'number' && retry > 0 ? retry : 0,
    headers,
    traceparent: typeof traceparent === 'string' ? traceparent : undefined,
    body,
  };
}
