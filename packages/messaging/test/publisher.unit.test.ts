// Unit tests of the confirm publisher's bookkeeping against a scripted channel: what a real broker cannot be
// made to do on demand (withhold a confirm, nack, fill the socket buffer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { ConfirmPublisher, type PublisherSettings } from '../src/amqp/publisher.js';
import { EnvelopePublisher } from '../src/core/publisher.js';
import { defineMessage, isMessagingError, type MessagingErrorCode } from '../src/index.js';
import { FakeHost, type FakeModel } from './support/fake-amqp.js';
import { must, within } from './support/util.js';

const Ping = Type.Object({ n: Type.Number() });
const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue: 'pings' } });

function setup(overrides: Partial<PublisherSettings> = {}): {
  host: FakeHost;
  model: FakeModel;
  pub: EnvelopePublisher;
  wire: ConfirmPublisher;
} {
  const host = new FakeHost();
  const wire = new ConfirmPublisher(host, host, {
    name: 'test',
    confirmWindow: 100,
    confirmTimeoutMs: 60_000,
    publishWaitMs: 60_000,
    maxWaiting: 1000,
    closeTimeoutMs: 1000,
    ...overrides,
  });
  return { host, model: must(host.model), pub: new EnvelopePublisher(wire, 'unit', undefined), wire };
}

/** Settles to 'ok' or the error code, without throwing. */
function outcome(p: Promise<void>): Promise<'ok' | MessagingErrorCode | 'other'> {
  return p.then(
    () => 'ok' as const,
    (err: unknown) => (isMessagingError(err) ? err.code : 'other'),
  );
}

/** Lets queued microtasks and immediates run (the publisher reacts to events synchronously or next tick). */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ConfirmPublisher', () => {
  it('resolves a publish only when the broker confirms it, and settles a multiple ack up to its tag', async () => {
    const { model, pub } = setup();
    const ch = await model.nextChannel();
    let settled = 0;
    const ps = [1, 2, 3].map((n) => pub.publish(type, { n }).then(() => settled++));
    await tick();
    assert.equal(ch.written.length, 3);
    assert.equal(settled, 0);
    ch.ack(2, true);
    await tick();
    assert.equal(settled, 2);
    ch.ack(3);
    await Promise.all(ps);
    const first = must(ch.written[0]).options;
    assert.equal(first.persistent, true);
    assert.equal(first.contentType, 'application/json');
    assert.equal(first.type, 'Ping');
    assert.equal(first.appId, 'unit');
    assert.equal(first.mandatory, true);
    assert.equal(typeof first.messageId, 'string');
    await pub.close();
  });

  it('keeps at most confirmWindow messages unconfirmed; the others wait for a free slot', async () => {
    const { model, pub } = setup({ confirmWindow: 2 });
    const ch = await model.nextChannel();
    const ps = [1, 2, 3, 4].map((n) => pub.publish(type, { n }));
    await tick();
    assert.equal(ch.written.length, 2);
    ch.ack(1);
    await tick();
    assert.equal(ch.written.length, 3);
    ch.ack(3, true);
    await tick();
    assert.equal(ch.written.length, 4);
    ch.ack(4);
    await Promise.all(ps);
    await pub.close();
  });

  it('stops writing when the socket buffer is full and resumes on drain', async () => {
    const { model, pub } = setup();
    const ch = await model.nextChannel();
    ch.writable = false;
    const ps = [1, 2, 3].map((n) => pub.publish(type, { n }));
    await tick();
    assert.equal(ch.written.length, 1);
    ch.writable = true;
    ch.emit('drain');
    await tick();
    assert.equal(ch.written.length, 3);
    ch.ack(3, true);
    await Promise.all(ps);
    await pub.close();
  });

  it('holds publishes while the broker blocks publishing, and sends them when it unblocks', async () => {
    const { host, model, pub, wire } = setup();
    const ch = await model.nextChannel();
    host.blocked = true;
    const p = pub.publish(type, { n: 1 });
    await tick();
    assert.equal(ch.written.length, 0);
    host.blocked = false;
    wire.flush();
    assert.equal(ch.written.length, 1);
    ch.ack(1);
    await p;
    await pub.close();
  });

  it('fails with CONFIRM_TIMEOUT when a confirm never comes, and frees the slot', async () => {
    const { model, pub } = setup({ confirmTimeoutMs: 30, confirmWindow: 1 });
    const ch = await model.nextChannel();
    const lost = outcome(pub.publish(type, { n: 1 }));
    assert.equal(await within(lost, 5000, 'the timeout'), 'CONFIRM_TIMEOUT');
    const next = pub.publish(type, { n: 2 });
    await tick();
    assert.equal(ch.written.length, 2);
    ch.ack(1); // a late confirm of the timed-out message changes nothing
    ch.ack(2);
    await next;
    await pub.close();
  });

  it('fails with NACKED on a negative confirm, and with UNROUTABLE when the broker returns the message', async () => {
    const { host, model, pub } = setup();
    const ch = await model.nextChannel();
    const a = outcome(pub.publish(type, { n: 1 }));
    const b = outcome(pub.publish(type, { n: 2 }));
    const c = outcome(pub.publish(type, { n: 3 }));
    await tick();
    ch.nack(1);
    ch.returnMessage(1);
    ch.ack(3, true);
    assert.deepEqual(await Promise.all([a, b, c]), ['NACKED', 'UNROUTABLE', 'ok']);
    assert.equal(host.invalidations, 1, 'an unroutable queue message makes the next publish re-declare');
    await pub.close();
  });

  it('does not hold a stale return against a later publish of the same message id', async () => {
    const { model, pub } = setup();
    const ch = await model.nextChannel();
    const first = outcome(pub.publish(type, { n: 1 }, { messageId: 'again' }));
    await tick();
    ch.returnMessage(0);
    ch.nack(1); // settled by its nack: the return before it must not linger
    assert.equal(await first, 'NACKED');
    const retry = outcome(pub.publish(type, { n: 1 }, { messageId: 'again' }));
    await tick();
    ch.ack(2);
    assert.equal(await retry, 'ok', 'the retry was routed and confirmed');
    await pub.close();
  });

  it('re-sends unconfirmed messages, same message id, on the next connection after a connection loss', async () => {
    const { host, model, pub } = setup();
    const ch = await model.nextChannel();
    const p = pub.publish(type, { n: 1 }, { messageId: 'keep-me' });
    await tick();
    host.disconnect();
    const next = host.reconnect();
    const ch2 = await next.nextChannel();
    assert.equal(ch2.written.length, 1);
    assert.equal(must(ch2.written[0]).options.messageId, 'keep-me');
    assert.equal(must(ch.written[0]).options.messageId, 'keep-me');
    ch2.ack(1);
    await p;
    await pub.close();
  });

  it('rejects unconfirmed messages with CHANNEL_CLOSED after a channel error, then works on a new channel', async () => {
    const { host, model, pub } = setup();
    const ch = await model.nextChannel();
    const p = outcome(pub.publish(type, { n: 1 }));
    await tick();
    ch.fail('Channel closed by server: 404 (NOT-FOUND)');
    assert.equal(await p, 'CHANNEL_CLOSED');
    assert.equal(host.invalidations, 1);
    const later = pub.publish(type, { n: 2 });
    const ch2 = await model.nextChannel();
    await tick();
    ch2.ack(1);
    await later;
    await pub.close();
  });

  it('fails waiting publishes with NOT_CONNECTED after publishWaitMs, and with BACKPRESSURE beyond maxWaiting', async () => {
    const { host, model, pub } = setup({ publishWaitMs: 40, maxWaiting: 2 });
    await model.nextChannel();
    host.disconnect();
    const waiting = [1, 2].map((n) => outcome(pub.publish(type, { n })));
    assert.equal(await outcome(pub.publish(type, { n: 3 })), 'BACKPRESSURE');
    assert.deepEqual(await within(Promise.all(waiting), 5000, 'the wait bound'), [
      'NOT_CONNECTED',
      'NOT_CONNECTED',
    ]);
    await pub.close();
  });

  it('waits for outstanding confirms at close, then refuses new publishes', async () => {
    const { model, pub } = setup();
    const ch = await model.nextChannel();
    const p = pub.publish(type, { n: 1 });
    await tick();
    const closing = pub.close();
    assert.equal(await outcome(pub.publish(type, { n: 2 })), 'CLOSED');
    ch.ack(1);
    await p;
    await closing;
  });

  it('rejects a message that fails its schema without writing anything', async () => {
    const { model, pub } = setup();
    const ch = await model.nextChannel();
    assert.equal(await outcome(pub.publish(type, { n: 'x' } as unknown as { n: number })), 'INVALID_MESSAGE');
    assert.equal(ch.written.length, 0);
    await pub.close();
  });
});
