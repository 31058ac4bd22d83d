/**
 * An AMQP field-table decoder with amqplib's semantics (lib/codec.js `decodeFields`: same values, same types,
 * same errors on malformed input) and a bound on nesting. amqplib recurses once per nested table or array, so
 * a header nested a few thousand levels deep (a few dozen KB, well inside a frame) overflows the stack in the
 * frame parser and drops the connection, and the unacked message comes back to do it again.
 *
 * Here a table or array nested deeper than MAX_NESTING is skipped by its length prefix and replaced by
 * TOO_DEEP: the recursion never goes deeper than the bound, depth never throws, and each byte is read at
 * most once.
 */

/** Levels of tables and arrays decoded inside the top-level table. */
export const MAX_NESTING = 64;

/** What replaces a table or array nested deeper than MAX_NESTING. */
export const TOO_DEEP = '[nested too deep]';

/** Where the value read last ends. Decoding is synchronous: every read sets it before its caller uses it. */
let end = 0;

/** Reads the value whose type tag is at `at`, inside a container at nesting level `depth`; sets `end`. */
function readValue(buf: Buffer, at: number, depth: number): unknown {
  const tag = buf[at];
  const pos = at + 1;
  switch (tag) {
    case 0x62: // b
      end = pos + 1;
      return buf.readInt8(pos);
    case 0x42: // B
      end = pos + 1;
      return buf.readUInt8(pos);
    case 0x53: {
      // S
      const len = buf.readUInt32BE(pos);
      end = pos + 4 + len;
      return buf.toString('utf8', pos + 4, end);
    }
    case 0x49: // I
      end = pos + 4;
      return buf.readInt32BE(pos);
    case 0x69: // i
      end = pos + 4;
      return buf.readUInt32BE(pos);
    case 0x44: {
      // D: amqplib reads the places octet without a bounds check, then the digits with one
      const places = buf[pos];
      const digits = buf.readUInt32BE(pos + 1);
      end = pos + 5;
      return { '!': 'decimal', value: { places, digits } };
    }
    case 0x54: {
      // T
      const value = Number(buf.readBigUInt64BE(pos));
      end = pos + 8;
      return { '!': 'timestamp', value };
    }
    case 0x46: {
      // F: a table is decoded within its own length, as amqplib does
      const len = buf.readUInt32BE(pos);
      const value =
        depth >= MAX_NESTING ? TOO_DEEP : readTable(buf.subarray(pos + 4, pos + 4 + len), depth + 1);
      end = pos + 4 + len;
      return value;
    }
    case 0x41: {
      // A: elements are read from the enclosing buffer up to the array's length (the last may run past it)
      const len = buf.readUInt32BE(pos);
      const until = pos + 4 + len;
      if (depth >= MAX_NESTING) {
        end = until;
        return TOO_DEEP;
      }
      const values: unknown[] = [];
      let p = pos + 4;
      while (p < until) {
        values.push(readValue(buf, p, depth + 1));
        p = end;
      }
      end = p;
      return values;
    }
    case 0x64: // d
      end = pos + 8;
      return buf.readDoubleBE(pos);
    case 0x66: // f
      end = pos + 4;
      return buf.readFloatBE(pos);
    case 0x6c: {
      // l
      const value = Number(buf.readBigInt64BE(pos));
      end = pos + 8;
      return value;
    }
    case 0x73: // s
      end = pos + 2;
      return buf.readInt16BE(pos);
    case 0x75: // u
      end = pos + 2;
      return buf.readUInt16BE(pos);
    case 0x74: // t: amqplib reads it without a bounds check
      end = pos + 1;
      return buf[pos] !== 0;
    case 0x56: // V
      end = pos;
      return null;
    case 0x78: {
      // x
      const len = buf.readUInt32BE(pos);
      end = pos + 4 + len;
      return buf.subarray(pos + 4, end);
    }
    default:
      throw new TypeError(`Unexpected type tag "${String.fromCharCode(tag ?? 0)}"`);
  }
}

function readTable(buf: Buffer, depth: number): Record<string, unknown> {
  // A plain object with keys assigned as amqplib assigns them, so that callers see the very same value.
  const fields: Record<string, unknown> = {};
  const size = buf.length;
  let pos = 0;
  while (pos < size) {
    const len = buf.readUInt8(pos);
    const key = buf.toString('utf8', pos + 1, pos + 1 + len);
    fields[key] = readValue(buf, pos + 1 + len, depth);
    pos = end;
  }
  return fields;
}

/** Decodes a field table (without its length prefix), as amqplib's `decodeFields`, nesting bounded. */
export function decodeFieldsBounded(slice: Buffer): Record<string, unknown> {
  return readTable(slice, 0);
}
