import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reservedConnections } from '../src/database.js';
import { Slots } from '../src/slots.js';

describe('Slots', () => {
  it('lets `limit` holders in at once and hands each freed slot to the longest waiting caller', async () => {
    const slots = new Slots(2);
    const order: number[] = [];
    await slots.acquire();
    await slots.acquire();
    const waiting = [1, 2, 3].map((n) => slots.acquire().then(() => order.push(n)));
    await Promise.resolve();
    assert.deepEqual(order, []);
    slots.release();
    await waiting[0];
    assert.deepEqual(order, [1]);
    slots.release();
    slots.release();
    await Promise.all(waiting);
    assert.deepEqual(order, [1, 2, 3]);
    // Three holders released of five acquired: two hold; one more release frees a slot for the next caller.
    slots.release();
    slots.release();
    await slots.acquire();
  });

  it('serves thousands of waiters in order (the queue is compacted, never scanned)', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    const order: number[] = [];
    const waiting = Array.from({ length: 5000 }, (_, n) => slots.acquire().then(() => order.push(n)));
    for (let i = 0; i < 5000; i++) slots.release();
    await Promise.all(waiting);
    assert.deepEqual(
      order,
      Array.from({ length: 5000 }, (_, n) => n),
    );
  });
});

describe('reservedConnections', () => {
  it('keeps one connection from transactions, of a pool of two or more, none of one', () => {
    assert.deepEqual([1, 2, 3, 10, 20].map(reservedConnections), [0, 1, 1, 1, 1]);
  });
});
