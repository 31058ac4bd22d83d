import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { DEFAULT_MAX_MESSAGE_BYTES, defineMessage, isMessagingError } from '../src/index.js';

const Note = Type.Object({ text: Type.String() });
const destination = { kind: 'queue', queue: 'notes' } as const;

describe('defineMessage', () => {
  it('refuses a body over its size limit on consume, before parsing it', () => {
    const type = defineMessage({ name: 'Note', schema: Note, destination, maxBytes: 64 });
    const body = Buffer.from(JSON.stringify({ text: 'x'.repeat(100) }));
    assert.throws(
      () => type.decode(body),
      (err: unknown) => isMessagingError(err, 'INVALID_MESSAGE') && /over its limit of 64/.test(err.message),
    );
    assert.deepEqual(type.decode(Buffer.from('{"text":"short"}')), { text: 'short' });
  });

  it('refuses to publish a body over its size limit', () => {
    const type = defineMessage({ name: 'Note', schema: Note, destination, maxBytes: 64 });
    assert.throws(
      () => type.encode({ text: 'x'.repeat(100) }),
      (err: unknown) => isMessagingError(err, 'INVALID_MESSAGE'),
    );
  });

  it('bounds bodies by default', () => {
    const type = defineMessage({ name: 'Note', schema: Note, destination });
    assert.equal(type.maxBytes, DEFAULT_MAX_MESSAGE_BYTES);
    const big = Buffer.from(JSON.stringify({ text: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES) }));
    assert.throws(
      () => type.decode(big),
      (err: unknown) => isMessagingError(err, 'INVALID_MESSAGE'),
    );
  });
});
