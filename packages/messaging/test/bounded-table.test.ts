// The bounded table decoder under amqplib: nesting beyond the bound is skipped and marked, never a stack
// overflow; everything else decodes exactly as amqplib's own decoder does.
import { decoderGuarded } from '../src/amqp/decode-guard.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MAX_NESTING, TOO_DEEP, decodeFieldsBounded } from '../src/amqp/bounded-table.js';
import {
  basicProperties,
  fieldTable,
  longStrValue,
  nestedArrays,
  nestedTables,
  rawTable,
} from './support/amqp-bytes.js';
import { amqplibDefs, originalDecodeFields, type DecodeFields } from './support/amqplib-internals.js';

const original = originalDecodeFields();
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What a decode gives, comparable with deepStrictEqual: prototypes and Buffers made explicit. */
function shape(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { buffer: v.toString('hex') };
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v !== 'object' || v === null) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  const own = Object.entries(v).map(([k, x]) => [k, shape(x)]);
  return { proto: proto === Object.prototype ? 'Object.prototype' : shape(proto), own };
}

function outcome(decode: DecodeFields, bytes: Buffer): unknown {
  try {
    return { value: shape(decode(bytes)) };
  } catch (err) {
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

function assertSameAsAmqplib(bytes: Buffer, what: string): void {
  assert.deepStrictEqual(outcome(decodeFieldsBounded, bytes), outcome(original, bytes), what);
}

/** The value `levels` containers down (the only element or entry of each), and whether each was a container. */
function descend(v: unknown, levels: number): unknown {
  let at = v;
  for (let i = 0; i < levels; i++) {
    if (Array.isArray(at)) at = (at as unknown[])[0];
    else if (typeof at === 'object' && at !== null) at = (at as Record<string, unknown>).k;
    else assert.fail(`level ${i + 1} is not a container: ${String(at)}`);
  }
  return at;
}

const value = (tag: string, bytes: number[]): Buffer => Buffer.concat([Buffer.from(tag), Buffer.from(bytes)]);
const prefixed = (tag: string, content: Buffer): Buffer => {
  const head = Buffer.alloc(5);
  head.write(tag, 0, 'latin1');
  head.writeUInt32BE(content.length, 1);
  return Buffer.concat([head, content]);
};
const tableValue = (table: Buffer): Buffer => prefixed('F', table);
const arrayValue = (...elements: Buffer[]): Buffer => prefixed('A', Buffer.concat(elements));

describe('Bounded table decoder', () => {
  it('is in effect under amqplib when loaded before it', () => {
    assert.equal(decoderGuarded(), true);
  });

  for (const [kind, nested] of [
    ['arrays', nestedArrays],
    ['tables', nestedTables],
  ] as const) {
    it(`decodes a header of ${kind} nested ten thousand deep through amqplib's property decoder`, () => {
      const defs = amqplibDefs();
      const properties = basicProperties({
        contentType: 'application/json',
        headers: rawTable([
          ['h', nested(10_000)],
          ['after', longStrValue('still read')],
        ]),
        messageId: 'm-1',
      });
      const decoded = defs.decode(defs.BasicProperties, properties);
      const headers = decoded.headers as Record<string, unknown>;
      // Every level down to the bound is decoded; below it, one marker stands for the rest.
      assert.notEqual(descend(headers.h, MAX_NESTING - 1), TOO_DEEP);
      assert.equal(descend(headers.h, MAX_NESTING), TOO_DEEP);
      // What follows the skipped value is read from the right place.
      assert.equal(headers.after, 'still read');
      assert.equal(decoded.messageId, 'm-1');
      assert.equal(decoded.contentType, 'application/json');
    });
  }

  it('skips a value nested a million levels deep by its length, and reads on', () => {
    const bytes = rawTable([
      ['h', nestedArrays(1_000_000)],
      ['n', value('b', [7])],
    ]);
    const decoded = decodeFieldsBounded(bytes);
    assert.equal(descend(decoded.h, MAX_NESTING), TOO_DEEP);
    assert.equal(decoded.n, 7);
  });

  it('decodes exactly as amqplib up to the bound', () => {
    for (const nested of [nestedArrays, nestedTables]) {
      const bytes = rawTable([['h', nested(MAX_NESTING)]]);
      assertSameAsAmqplib(bytes, nested.name);
      assert.notEqual(descend(decodeFieldsBounded(bytes).h, MAX_NESTING - 1), TOO_DEEP);
    }
  });

  it('decodes every field type exactly as amqplib', () => {
    const corpus: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      encoded: fieldTable({
        str: 'text',
        utf8: 'héllo ✓ 𝄞',
        empty: '',
        small: 7,
        negative: -100,
        short: 30_000,
        int: -2_000_000_000,
        long: 2 ** 53 + 2,
        double: 1.5,
        yes: true,
        no: false,
        nothing: null,
        bytes: Buffer.from([0, 1, 254, 255]),
        list: [1, 'two', [3, [4]], { five: 5 }, null, false, Buffer.from('x')],
        emptyList: [],
        table: { a: { b: { c: 'deep' } }, e: {} },
        timestamp: { '!': 'timestamp', value: 1_764_629_780 },
        decimal: { '!': 'decimal', value: { places: 2, digits: 31_415 } },
        float: { '!': 'float', value: 0.25 },
        ubyte: { '!': 'unsignedbyte', value: 250 },
        ushort: { '!': 'unsignedshort', value: 65_000 },
        uint: { '!': 'unsignedint', value: 4_000_000_000 },
        int64: { '!': 'int64', value: -(2 ** 60) },
        'x-death': [{ count: 2, reason: 'expired', queue: 'q.retry', 'routing-keys': ['q'] }],
      }),
      rawTypes: rawTable([
        ['b', value('b', [0x80])],
        ['B', value('B', [0xff])],
        ['s', value('s', [0x80, 0x00])],
        ['u', value('u', [0xff, 0xff])],
        ['I', value('I', [0xff, 0xff, 0xff, 0xfe])],
        ['i', value('i', [0xff, 0xff, 0xff, 0xfe])],
        ['l', value('l', [0x80, 0, 0, 0, 0, 0, 0, 1])],
        ['T', value('T', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
        ['D', value('D', [3, 0, 0, 0x30, 0x39])],
        ['d', value('d', [0x7f, 0xf8, 0, 0, 0, 0, 0, 1])],
        ['negZero', value('d', [0x80, 0, 0, 0, 0, 0, 0, 0])],
        ['f', value('f', [0xff, 0x80, 0, 0])],
        ['t2', value('t', [2])],
        ['t0', value('t', [0])],
        ['V', value('V', [])],
        ['x', value('x', [0, 0, 0, 2, 9, 8])],
      ]),
      invalidUtf8: rawTable([
        [Buffer.from([0xff, 0xfe, 0x41]), longStrValue(Buffer.from([0xc3, 0x28, 0xe2, 0x82]))],
        ['ok', longStrValue('fine')],
      ]),
      duplicateKeys: rawTable([
        ['k', value('b', [1])],
        ['k', value('b', [2])],
      ]),
      prototypeKeys: rawTable([
        ['__proto__', tableValue(rawTable([['p', value('b', [1])]]))],
        ['constructor', longStrValue('c')],
        ['hasOwnProperty', value('b', [3])],
      ]),
      prototypePrimitive: rawTable([['__proto__', value('b', [1])]]),
      unknownTag: rawTable([['z', value('z', [1, 2])]]),
      truncatedInt: rawTable([['i', value('I', [0, 1])]]),
      truncatedDecimal: rawTable([['D', value('D', [2, 0, 0])]]),
      decimalWithoutPlaces: rawTable([['D', value('D', [])]]),
      boolAtEnd: rawTable([['t', value('t', [])]]),
      truncatedKey: Buffer.from([9, 0x61, 0x62]),
      stringPastEnd: rawTable([['s', value('S', [0, 0, 0, 50, 0x61, 0x62])]]),
      bytesPastEnd: rawTable([['x', value('x', [0, 0, 0, 50, 1])]]),
      tablePastEnd: rawTable([['t', value('F', [0, 0, 0, 50, 1, 0x61, 0x62, 5])]]),
      arrayPastEnd: rawTable([['a', value('A', [0, 0, 0, 50, 0x62, 1, 0x62, 2])]]),
      arrayElementPastItsLength: Buffer.concat([
        rawTable([['a', value('A', [0, 0, 0, 1, 0x53, 0, 0, 0, 1, 0x41])]]),
        rawTable([['n', value('b', [4])]]),
      ]),
      tableInsideArray: rawTable([['a', arrayValue(tableValue(rawTable([['q', value('V', [])]])))]]),
    };
    for (const [what, bytes] of Object.entries(corpus)) assertSameAsAmqplib(bytes, what);
  });

  it('decodes random tables, and random corruptions of them, exactly as amqplib', () => {
    // A seeded generator: the same cases on every run.
    let seed = 0x9e3779b9;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const anyValue = (depth: number): unknown => {
      const leaf = [
        () => Math.floor(random() * 256) - 128,
        () => Math.floor(random() * 2 ** 31) * (random() < 0.5 ? -1 : 1),
        () => (random() - 0.5) * 1e6,
        () => random().toString(36).slice(2),
        () => random() < 0.5,
        () => null,
        () => Buffer.from([Math.floor(random() * 256)]),
        () => ({ '!': 'timestamp', value: Math.floor(random() * 2 ** 40) }),
      ];
      if (depth > 6 || random() < 0.6) return pick(leaf)();
      if (random() < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => anyValue(depth + 1));
      return anyTable(depth + 1);
    };
    const anyTable = (depth: number): Record<string, unknown> =>
      Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [
          random().toString(36).slice(2, 8),
          anyValue(depth),
        ]),
      );
    for (let n = 0; n < 2000; n++) {
      const bytes = fieldTable(anyTable(0));
      assertSameAsAmqplib(bytes, `table ${n}`);
      const corrupt = Buffer.from(bytes.subarray(0, Math.floor(random() * (bytes.length + 1))));
      for (let flips = Math.floor(random() * 3); flips >= 0 && corrupt.length > 0; flips--) {
        corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
      }
      assertSameAsAmqplib(corrupt, `corruption ${n}`);
    }
  });

  it('is not in effect, and connectAmqp says so, when amqplib was loaded first', async () => {
    const script = [
      "import 'amqplib';",
      "const { decoderGuarded } = await import('./src/amqp/decode-guard.ts');",
      "const { connectAmqp } = await import('./src/index.ts');",
      'const warnings = [];',
      'const logger = { debug() {}, info() {}, error() {}, warn: (_o, msg) => warnings.push(msg) };',
      "await connectAmqp({ url: 'amqp://127.0.0.1:1/', connectionName: 'unguarded', logger, initialConnectTimeoutMs: 300 }).catch(() => undefined);",
      'console.log(JSON.stringify({ guarded: decoderGuarded(), warnings }));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script],
      { cwd: packageDir },
    );
    const result = JSON.parse(stdout) as { guarded: boolean; warnings: string[] };
    assert.equal(result.guarded, false);
    assert.equal(result.warnings.filter((w) => /decode guard/.test(w)).length, 1);
  });
});
