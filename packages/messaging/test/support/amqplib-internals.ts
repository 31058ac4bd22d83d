// amqplib's codec and protocol definitions, for tests that build or read bytes as amqplib does. amqplib
// exports no subpaths: its lib/ is reached by file name, the very modules (and cache entries) it uses itself.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type DecodeFields = (slice: Buffer) => Record<string, unknown>;

export interface AmqplibCodec {
  /** Writes `val` at `offset` with its 4-byte length prefix; returns the bytes written. */
  encodeTable(buffer: Buffer, val: unknown, offset: number): number;
  decodeFields: DecodeFields;
}

export interface AmqplibDefs {
  readonly BasicProperties: number;
  readonly BasicPublish: number;
  decode(id: number, buf: Buffer): Record<string, unknown>;
  /** A whole method frame. */
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
}

const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('amqplib')), 'lib');

export function amqplibCodec(): AmqplibCodec {
  return require(join(lib, 'codec.js')) as AmqplibCodec;
}

export function amqplibDefs(): AmqplibDefs {
  return require(join(lib, 'defs.js')) as AmqplibDefs;
}

/** amqplib's own decodeFields, from a fresh copy of its codec (whatever replaced the shared one). */
export function originalDecodeFields(): DecodeFields {
  const path = join(lib, 'codec.js');
  const shared = require.cache[path];
  /* eslint-disable @typescript-eslint/no-dynamic-delete -- a private copy: the shared entry is put back */
  delete require.cache[path];
  try {
    return (require(path) as AmqplibCodec).decodeFields;
  } finally {
    if (shared === undefined) delete require.cache[path];
    else require.cache[path] = shared;
  }
  /* eslint-enable @typescript-eslint/no-dynamic-delete */
}
