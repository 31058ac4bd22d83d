// AMQP field tables and basic properties built byte by byte, for what amqplib will not encode: nesting deeper
// than its recursive encoder goes, invalid UTF-8 in a string or a header name, any raw field value.
import { amqplibCodec } from './amqplib-internals.js';

/** A short string: text (UTF-8) or its raw bytes, at most 255 of them. */
export type ShortStr = string | Buffer;

/** Basic properties; each string property may be given as raw bytes. */
export interface RawProperties {
  readonly contentType?: ShortStr;
  readonly contentEncoding?: ShortStr;
  /** A table as amqplib encodes it, or the table's own bytes (without the length prefix). */
  readonly headers?: Readonly<Record<string, unknown>> | Buffer;
  readonly deliveryMode?: number;
  readonly priority?: number;
  readonly correlationId?: ShortStr;
  readonly replyTo?: ShortStr;
  readonly expiration?: ShortStr;
  readonly messageId?: ShortStr;
  /** Seconds. */
  readonly timestamp?: number;
  readonly type?: ShortStr;
  readonly userId?: ShortStr;
  readonly appId?: ShortStr;
  readonly clusterId?: ShortStr;
}

function shortStr(s: ShortStr): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  if (bytes.length > 255) throw new RangeError(`a short string has at most 255 bytes, not ${bytes.length}`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A table's bytes (without the length prefix) as amqplib encodes `entries`. */
export function fieldTable(entries: Readonly<Record<string, unknown>>): Buffer {
  const scratch = Buffer.alloc(1 << 20);
  const written = amqplibCodec().encodeTable(scratch, entries, 0);
  return Buffer.from(scratch.subarray(4, written));
}

/** A table's bytes (without the length prefix) from raw names and raw field values (tag included). */
export function rawTable(entries: readonly (readonly [name: ShortStr, value: Buffer])[]): Buffer {
  return Buffer.concat(entries.flatMap(([name, value]) => [shortStr(name), value]));
}

/** A long-string field value (tag S) of raw bytes. */
export function longStrValue(bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return Buffer.concat([Buffer.from('S'), u32(b.length), b]);
}

/** A field value of `depth` arrays, each the only element of the one around it (five bytes a level). */
export function nestedArrays(depth: number): Buffer {
  const out = Buffer.alloc(5 * depth);
  for (let i = 0; i < depth; i++) {
    out.write('A', 5 * i, 'latin1');
    out.writeUInt32BE(5 * (depth - 1 - i), 5 * i + 1);
  }
  return out;
}

/** A field value of `depth` tables, each the only entry (named `k`) of the one around it. */
export function nestedTables(depth: number): Buffer {
  const total = 7 * (depth - 1) + 5;
  const out = Buffer.alloc(total);
  for (let i = 0; i < depth; i++) {
    const at = 7 * i;
    out.write('F', at, 'latin1');
    out.writeUInt32BE(total - at - 5, at + 1);
    if (i < depth - 1) {
      out.writeUInt8(1, at + 5);
      out.write('k', at + 6, 'latin1');
    }
  }
  return out;
}

/** Basic properties as they go on the wire in a content header: property flags, then each property present. */
export function basicProperties(p: RawProperties): Buffer {
  let flags = 0;
  const parts: Buffer[] = [];
  const str = (bit: number, v: ShortStr | undefined): void => {
    if (v === undefined) return;
    flags |= bit;
    parts.push(shortStr(v));
  };
  const octet = (bit: number, v: number | undefined): void => {
    if (v === undefined) return;
    flags |= bit;
    parts.push(Buffer.from([v]));
  };
  str(0x8000, p.contentType);
  str(0x4000, p.contentEncoding);
  if (p.headers !== undefined) {
    flags |= 0x2000;
    const table = Buffer.isBuffer(p.headers) ? p.headers : fieldTable(p.headers);
    parts.push(u32(table.length), table);
  }
  octet(0x1000, p.deliveryMode);
  octet(0x0800, p.priority);
  str(0x0400, p.correlationId);
  str(0x0200, p.replyTo);
  str(0x0100, p.expiration);
  str(0x0080, p.messageId);
  if (p.timestamp !== undefined) {
    flags |= 0x0040;
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(p.timestamp));
    parts.push(t);
  }
  str(0x0020, p.type);
  str(0x0010, p.userId);
  str(0x0008, p.appId);
  str(0x0004, p.clusterId);
  const head = Buffer.alloc(2);
  head.writeUInt16BE(flags);
  return Buffer.concat([head, ...parts]);
}
