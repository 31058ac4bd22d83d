// Which differences of an existing queue lose messages: the rules the broker tests do not reach one by one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArgValue } from '../src/amqp/inequivalent-arg.js';
import { lossesOf, show, type QueueArgs } from '../src/amqp/queue-mismatch.js';

const str = (value: string): ArgValue => ({ type: 'string', value });
const int = (value: number): ArgValue => ({ type: 'integer', value });
const bool = (value: boolean): ArgValue => ({ type: 'boolean', value });

function queue(args: Record<string, ArgValue>): QueueArgs {
  return new Map(Object.entries({ durable: bool(true), auto_delete: bool(false), ...args }));
}

const work = { deadLettersOnExpiry: false };
const delay = { deadLettersOnExpiry: true };
const keysOf = (q: QueueArgs, differing: string[], ctx = work): string[] =>
  lossesOf(q, new Set(differing), ctx).map((l) => l.key);

describe('lossesOf', () => {
  it('judges only what differs from our declaration', () => {
    assert.deepEqual(keysOf(queue({ 'x-message-ttl': int(5) }), ['x-queue-type']), []);
    assert.deepEqual(keysOf(queue({ 'x-message-ttl': int(5) }), ['x-message-ttl']), ['x-message-ttl']);
  });

  it('refuses a stream, whose consumers skip what arrived while none was attached', () => {
    assert.deepEqual(keysOf(queue({ 'x-queue-type': str('stream') }), ['x-queue-type']), ['x-queue-type']);
    assert.deepEqual(keysOf(queue({ 'x-queue-type': str('quorum') }), ['x-queue-type']), []);
  });

  it('accepts a full queue that refuses publishes, with or without dead-lettering them', () => {
    for (const overflow of ['reject-publish', 'reject-publish-dlx']) {
      const q = queue({ 'x-max-length-bytes': int(1000), 'x-overflow': str(overflow) });
      assert.deepEqual(keysOf(q, ['x-max-length-bytes', 'x-overflow']), [], overflow);
    }
    const dropping = queue({ 'x-max-length': int(10), 'x-overflow': str('drop-head') });
    assert.deepEqual(keysOf(dropping, ['x-max-length', 'x-overflow']), ['x-max-length']);
  });

  it('refuses another dead-letter target on a delay queue only', () => {
    const q = queue({ 'x-dead-letter-exchange': str(''), 'x-dead-letter-routing-key': str('elsewhere') });
    assert.deepEqual(keysOf(q, ['x-dead-letter-routing-key'], delay), ['x-dead-letter-routing-key']);
    assert.deepEqual(keysOf(q, ['x-dead-letter-routing-key'], work), []);
  });

  it('refuses an auto-delete queue, and names each loss once', () => {
    const q = queue({ auto_delete: bool(true), durable: bool(false) });
    assert.deepEqual(keysOf(q, ['durable', 'auto_delete']), ['durable', 'auto_delete']);
  });

  it('shows a value on one line', () => {
    assert.equal(show(str('a\nb')), "'a\\u000ab'");
    assert.equal(show(undefined), 'none');
    assert.equal(show(int(3)), '3');
  });
});
