// An OTLP/HTTP trace receiver on 127.0.0.1, as a collector's port 4318 is: POST /v1/traces, in protobuf
// (the exporters' default) or JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json), decoded into spans and answered
// 200 with an empty ExportTraceServiceResponse; a body it cannot read is answered 400.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtobufTraces } from './otlp-protobuf.js';
import { waitUntil } from './wait.js';

/** One received span, flattened: its service from the resource, attributes as plain values. */
export interface ReceivedSpan {
  readonly service: string;
  readonly scope: string;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly status: number;
}

export interface OtlpReceiver {
  /** The base URL to put in OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: readonly ReceivedSpan[];
  /** Export requests received and read (JSON or protobuf), and their bytes. */
  readonly requests: number;
  readonly bytes: number;
  /** Resolves with the spans once `match` holds for them; rejects after `timeoutMs` (default 15 s). */
  waitForSpans(
    match: (spans: readonly ReceivedSpan[]) => boolean,
    timeoutMs?: number,
  ): Promise<readonly ReceivedSpan[]>;
  close(): Promise<void>;
}

/** Bodies larger than this are refused (413), as a collector bounds them. */
const MAX_BODY = 16 * 1024 * 1024;

/**
 * Starts the receiver on a free port. `decode: false` only counts what arrives (the bench: decoding would
 * cost its own process CPU beside the servers it measures).
 */
export async function startOtlpReceiver(options: { readonly decode?: boolean } = {}): Promise<OtlpReceiver> {
  const decoding = options.decode ?? true;
  const spans: ReceivedSpan[] = [];
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      if (size > MAX_BODY) {
        response.writeHead(413).end();
        return;
      }
      requests++;
      bytes += size;
      const json = String(request.headers['content-type']).startsWith('application/json');
      const body = Buffer.concat(chunks);
      try {
        if (decoding)
          spans.push(
            ...(json
              ? decode(JSON.parse(body.toString('utf8')) as ExportRequest)
              : decodeProtobufTraces(body)),
          );
      } catch {
        // What a collector answers to a request it cannot read (the exporter reports it and drops the batch).
        response.writeHead(400).end();
        return;
      }
      response
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
    async waitForSpans(match, timeoutMs = 15_000) {
      await waitUntil(
        () => match(spans),
        timeoutMs,
        () => `spans received so far:\n${spans.map((s) => `${s.service}: ${s.name}`).join('\n')}`,
      );
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

// OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): ids in hex, 64-bit numbers
// as strings.
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[];
  }[];
}

function decode(body: ExportRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of body.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service: String(resource['service.name'] ?? ''),
          scope: ss.scope?.name ?? '',
          name: s.name,
          kind: s.kind,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId === undefined || s.parentSpanId === '' ? undefined : s.parentSpanId,
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          attributes: attributesOf(s.attributes),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          status: s.status?.code ?? 0,
        });
      }
    }
  }
  return out;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    const v = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value.intValue !== undefined ? Number(v) : v;
  }
  return out;
}
