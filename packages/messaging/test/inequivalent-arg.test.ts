// The 406 texts below are RabbitMQ 3.10's own, as amqplib reports them, captured from re-declarations on the
// broker of this machine (vhost h_dec).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInequivalence } from '../src/amqp/inequivalent-arg.js';

const wrapped = (reply: string): string =>
  `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "${reply}"`;
const refusal = (queue: string, key: string, sides: string): string =>
  wrapped(`PRECONDITION_FAILED - inequivalent arg '${key}' for queue '${queue}' in vhost 'h_dec': ${sides}`);

describe('parseInequivalence', () => {
  it('reads the flags durable and auto_delete, which the broker prints without a type', () => {
    assert.deepEqual(
      parseInequivalence(refusal('p.dur', 'durable', "received 'true' but current is 'false'"), 'p.dur'),
      {
        key: 'durable',
        vhost: 'h_dec',
        current: { type: 'boolean', value: false },
      },
    );
    assert.deepEqual(
      parseInequivalence(refusal('p.ad', 'auto_delete', "received 'false' but current is 'true'"), 'p.ad')
        ?.current,
      { type: 'boolean', value: true },
    );
  });

  it('reads typed values of every integer width, strings and booleans', () => {
    const cases: [string, string, unknown][] = [
      ['x-message-ttl', "the value '1000' of type 'short'", { type: 'integer', value: 1000 }],
      ['x-expires', "the value '100000' of type 'signedint'", { type: 'integer', value: 100000 }],
      ['x-max-length', "the value '10' of type 'byte'", { type: 'integer', value: 10 }],
      ['x-max-length-bytes', "the value '5000000000' of type 'long'", { type: 'integer', value: 5000000000 }],
      ['x-single-active-consumer', "the value 'true' of type 'bool'", { type: 'boolean', value: true }],
      ['x-queue-type', "the value 'quorum' of type 'longstr'", { type: 'string', value: 'quorum' }],
      ['x-dead-letter-exchange', "the value '' of type 'longstr'", { type: 'string', value: '' }],
    ];
    for (const [key, current, expected] of cases) {
      const text = refusal('q', key, `received none but current is ${current}`);
      assert.deepEqual(parseInequivalence(text, 'q'), { key, vhost: 'h_dec', current: expected }, key);
    }
  });

  it('reads "current is none" as an argument the existing queue does not have', () => {
    const text = refusal(
      'p.c',
      'x-queue-type',
      "received the value 'quorum' of type 'longstr' but current is none",
    );
    assert.deepEqual(parseInequivalence(text, 'p.c'), {
      key: 'x-queue-type',
      vhost: 'h_dec',
      current: undefined,
    });
  });

  it('types a value printed without its type (both sides have one) by its argument', () => {
    const ttl = refusal('p.ttl2', 'x-message-ttl', "received '2000' but current is '1000'");
    assert.deepEqual(parseInequivalence(ttl, 'p.ttl2')?.current, { type: 'integer', value: 1000 });
    const type = refusal('p.c3', 'x-queue-type', "received 'quorum' but current is 'classic'");
    assert.deepEqual(parseInequivalence(type, 'p.c3')?.current, { type: 'string', value: 'classic' });
    // A string where the broker keeps an integer: it compares them as equal text, of different types.
    const text = refusal('q.c.ml', 'x-max-length', "received '5' but current is '5'");
    assert.deepEqual(parseInequivalence(text, 'q.c.ml')?.current, { type: 'integer', value: 5 });
  });

  it('reads a value that contains quotes and the separator itself', () => {
    const text = refusal(
      'p.dlx',
      'x-dead-letter-exchange',
      "received none but current is the value 'a'b but current is x' of type 'longstr'",
    );
    assert.deepEqual(parseInequivalence(text, 'p.dlx')?.current, {
      type: 'string',
      value: "a'b but current is x",
    });
  });

  it('reads the broker text without amqplib around it, and a vhost of its own', () => {
    const text =
      "PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'p.prio' in vhost '/': received none but current is the value '5' of type 'byte'";
    assert.deepEqual(parseInequivalence(text, 'p.prio'), {
      key: 'x-max-priority',
      vhost: '/',
      current: { type: 'integer', value: 5 },
    });
  });

  it('refuses what it cannot read for sure', () => {
    const long = `p.${'L'.repeat(240)}`;
    const full = `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${long}' in vhost 'h_dec': received none but current is the value '1000' of type 'short'`;
    const unreadable: [queue: string, text: string][] = [
      // Truncated by the broker (reply texts are at most 255 bytes).
      [long, wrapped(`${full.slice(0, 252)}...`)],
      // Not a difference of arguments.
      [
        'p.dbl',
        wrapped(
          "PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'p.dbl' in vhost 'h_dec': \"expected integer, got double\"",
        ),
      ],
      [
        'q.ex',
        wrapped(
          "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q.ex' in vhost 'h_dec'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
        ),
      ],
      // About another queue.
      [
        'q',
        refusal('other', 'x-message-ttl', "received none but current is the value '1000' of type 'short'"),
      ],
      // A value that is not a plain number, string or boolean.
      ['q', refusal('q', 'x-message-ttl', "received none but current is the value '1' of type 'timestamp'")],
      // An untyped value of an argument whose type is not known.
      ['q', refusal('q', 'x-future', "received '1' but current is '2'")],
      // Not an integer although the argument is one.
      ['q', refusal('q', 'x-max-length', "received '5' but current is 'five'")],
      // Two readings of where "received" ends and "current" begins.
      ['q', refusal('q', 'x-dead-letter-exchange', "received 'a' but current is 'b' but current is 'c'")],
      // A key the broker never compares under that name.
      ['q', refusal('q', '__proto__', "received none but current is the value '1' of type 'byte'")],
    ];
    for (const [queue, text] of unreadable) assert.equal(parseInequivalence(text, queue), undefined, text);
  });
});
