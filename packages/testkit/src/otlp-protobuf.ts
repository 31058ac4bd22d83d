// Just enough of the protobuf wire format to read an OTLP ExportTraceServiceRequest
// (opentelemetry/proto/collector/trace/v1): what the SDK's default http/protobuf exporter sends. Fields this
// reader does not need are skipped by their wire type, as protobuf readers do.
import type { ReceivedSpan } from './otlp-receiver.js';

type Value = string | number | boolean;

/** One field of a message: its number, and its raw value (a varint, a fixed64/32 buffer, or the bytes). */
interface Field {
  readonly no: number;
  readonly varint?: bigint;
  readonly bytes?: Buffer;
}

function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= buf.length || shift > 63n) throw new Error('malformed varint');
      const byte = buf[at++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const [no, type] = [key >>> 3, key & 7];
    const take = (n: number): Buffer => {
      if (at + n > buf.length) throw new Error('truncated field');
      const out = buf.subarray(at, at + n);
      at += n;
      return out;
    };
    if (type === 0) yield { no, varint: varint() };
    else if (type === 1) yield { no, bytes: take(8) };
    else if (type === 2) yield { no, bytes: take(Number(varint())) };
    else if (type === 5) yield { no, bytes: take(4) };
    else throw new Error(`unsupported wire type ${String(type)}`);
  }
}

const hex = (b: Buffer | undefined): string => (b === undefined ? '' : b.toString('hex'));
const text = (b: Buffer | undefined): string => (b === undefined ? '' : b.toString('utf8'));

function anyValue(buf: Buffer): Value | undefined {
  for (const f of fields(buf)) {
    if (f.no === 1) return text(f.bytes);
    if (f.no === 2) return f.varint !== 0n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.varint ?? 0n));
    if (f.no === 4) return f.bytes?.readDoubleLE(0);
  }
  return undefined;
}

function keyValue(buf: Buffer, into: Record<string, Value>): void {
  let key = '';
  let value: Value | undefined;
  for (const f of fields(buf)) {
    if (f.no === 1) key = text(f.bytes);
    else if (f.no === 2 && f.bytes) value = anyValue(f.bytes);
  }
  if (value !== undefined) into[key] = value;
}

function span(buf: Buffer, service: string, scope: string): ReceivedSpan {
  const s = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startNs: 0n,
    endNs: 0n,
    status: 0,
  };
  const attributes: Record<string, Value> = {};
  const links: { traceId: string; spanId: string }[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) s.traceId = hex(f.bytes);
    else if (f.no === 2) s.spanId = hex(f.bytes);
    else if (f.no === 4) s.parentSpanId = hex(f.bytes);
    else if (f.no === 5) s.name = text(f.bytes);
    else if (f.no === 6) s.kind = Number(f.varint ?? 0n);
    else if (f.no === 7) s.startNs = f.bytes?.readBigUInt64LE(0) ?? 0n;
    else if (f.no === 8) s.endNs = f.bytes?.readBigUInt64LE(0) ?? 0n;
    else if (f.no === 9 && f.bytes) keyValue(f.bytes, attributes);
    else if (f.no === 13 && f.bytes) {
      const link = { traceId: '', spanId: '' };
      for (const l of fields(f.bytes)) {
        if (l.no === 1) link.traceId = hex(l.bytes);
        else if (l.no === 2) link.spanId = hex(l.bytes);
      }
      links.push(link);
    } else if (f.no === 15 && f.bytes) {
      for (const st of fields(f.bytes)) if (st.no === 3) s.status = Number(st.varint ?? 0n);
    }
  }
  return {
    ...s,
    parentSpanId: s.parentSpanId === '' ? undefined : s.parentSpanId,
    service,
    scope,
    attributes,
    links,
  };
}

/** The spans of an ExportTraceServiceRequest in protobuf; throws on a malformed message. */
export function decodeProtobufTraces(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1 || !rs.bytes) continue;
    const resource: Record<string, Value> = {};
    const scopeSpans: Buffer[] = [];
    for (const f of fields(rs.bytes)) {
      if (f.no === 1 && f.bytes)
        for (const a of fields(f.bytes)) if (a.no === 1 && a.bytes) keyValue(a.bytes, resource);
      if (f.no === 2 && f.bytes) scopeSpans.push(f.bytes);
    }
    for (const ss of scopeSpans) {
      let scope = '';
      const spans: Buffer[] = [];
      for (const f of fields(ss)) {
        if (f.no === 1 && f.bytes) for (const sc of fields(f.bytes)) if (sc.no === 1) scope = text(sc.bytes);
        if (f.no === 2 && f.bytes) spans.push(f.bytes);
      }
      for (const sp of spans) out.push(span(sp, String(resource['service.name'] ?? ''), scope));
    }
  }
  return out;
}
