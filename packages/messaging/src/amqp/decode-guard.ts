/**
 * Puts the bounded table decoder (bounded-table.ts) under amqplib's frame parser. amqplib's `defs.js` keeps
 * the `codec.decodeFields` it finds when it is first loaded, so this module must be evaluated before anything
 * loads amqplib: connect.ts imports it first. Importing it later is harmless but guards nothing.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MAX_NESTING, TOO_DEEP, decodeFieldsBounded } from './bounded-table.js';

interface Codec {
  decodeFields: (slice: Buffer) => Record<string, unknown>;
}

interface Defs {
  readonly BasicProperties: number;
  decode(id: number, buf: Buffer): { readonly headers?: Record<string, unknown> };
}

const require = createRequire(import.meta.url);
// amqplib exports no subpaths: its lib/ is reached by file name, the same files (and module cache
// entries) its own requires resolve to.
const lib = join(dirname(require.resolve('amqplib')), 'lib');

/** Basic properties carrying only a header `h` of arrays nested one level deeper than the bound. */
function overDeepProperties(): Buffer {
  const levels = MAX_NESTING + 1;
  const table = Buffer.alloc(2 + 5 * levels);
  table.writeUInt8(1, 0);
  table.write('h', 1, 'latin1');
  for (let i = 0; i < levels; i++) {
    table.write('A', 2 + 5 * i, 'latin1');
    table.writeUInt32BE(5 * (levels - 1 - i), 3 + 5 * i);
  }
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0x2000, 0); // property flags: headers only
  head.writeUInt32BE(table.length, 2);
  return Buffer.concat([head, table]);
}

/** True when amqplib's own property decoder now stops at the bound. */
function guardInEffect(defs: Defs): boolean {
  let v: unknown = defs.decode(defs.BasicProperties, overDeepProperties()).headers?.h;
  for (let i = 0; i < MAX_NESTING && Array.isArray(v); i++) v = (v as unknown[])[0];
  return v === TOO_DEEP;
}

function install(): boolean {
  try {
    const codec = require(join(lib, 'codec.js')) as Codec;
    codec.decodeFields = decodeFieldsBounded;
    return guardInEffect(require(join(lib, 'defs.js')) as Defs);
  } catch {
    return false; // amqplib's internals moved: it decodes as it always did
  }
}

const guarded = install();

/**
 * Whether every table amqplib decodes (message headers, method arguments) goes through the bounded decoder.
 * False when amqplib was loaded before this module, or its internals changed.
 */
export function decoderGuarded(): boolean {
  return guarded;
}
