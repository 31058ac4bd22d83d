import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwaitingConnection } from '../src/core/awaiting-connection.js';
import { isMessagingError, MessagingError } from '../src/errors.js';

describe('AwaitingConnection', () => {
  it('gives the next connection to every waiter, in the order they came', async () => {
    const a = new AwaitingConnection<string>();
    const order: string[] = [];
    const waits = [a.next(), a.next(60_000), a.next()].map((p, i) => p.then((c) => order.push(`${i}:${c}`)));
    assert.equal(a.size, 3);
    a.connected('conn-1');
    await Promise.all(waits);
    assert.deepEqual(order, ['0:conn-1', '1:conn-1', '2:conn-1']);
    assert.equal(a.size, 0, 'a connection settles the waiters it had, once');
  });

  it('rejects a bounded waiter with NOT_CONNECTED naming the allowed wait, and forgets it', async () => {
    const a = new AwaitingConnection<string>();
    const unbounded = a.next();
    await assert.rejects(
      a.next(1, 10_000),
      (err: unknown) => isMessagingError(err, 'NOT_CONNECTED') && /more than 10000 ms/.test(err.message),
    );
    assert.equal(a.size, 1, 'only the unbounded waiter is left');
    a.connected('conn-2');
    assert.equal(await unbounded, 'conn-2');
  });

  it('rejects every waiter with the error it fails with', async () => {
    const a = new AwaitingConnection<void>();
    const waits = [a.next(), a.next(60_000)];
    a.fail(new MessagingError('CLOSED', 'transport is closed'));
    for (const w of waits) await assert.rejects(w, (err: unknown) => isMessagingError(err, 'CLOSED'));
    assert.equal(a.size, 0);
  });
});
