import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../src/outbox/pacer.js';

/** Whether `promise` has settled by the time already-queued timers and callbacks have run. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

void describe('the relay pacer', () => {
  void it('a work sleep lasts until a wake-up', async () => {
    const pacer = new Pacer();
    const sleeping = pacer.sleep('work');
    assert.equal(await settledSoon(sleeping), false);
    pacer.wake('recorded');
    assert.equal(await settledSoon(sleeping), true);
  });

  void it('keeps a wake-up that comes between rounds for the next sleep, until a round begins', async () => {
    const pacer = new Pacer();
    pacer.wake('recorded');
    assert.equal(await settledSoon(pacer.sleep('work')), true);
    pacer.wake('recorded');
    pacer.beginRound();
    const sleeping = pacer.sleep('work');
    assert.equal(await settledSoon(sleeping), false);
    pacer.stop();
    await sleeping;
  });

  void it('a record does not cut a backoff short; the timer ends it', async () => {
    const pacer = new Pacer();
    const started = performance.now();
    const sleeping = pacer.sleep('backoff', 40);
    pacer.wake('recorded');
    assert.equal(await settledSoon(sleeping), false);
    await sleeping;
    assert.ok(performance.now() - started >= 35);
  });

  void it('an urgent wake-up ends a deferral, and a kept urgent one skips the next', async () => {
    const pacer = new Pacer();
    const deferring = pacer.sleep('defer', 60_000);
    pacer.wake('urgent');
    assert.equal(await settledSoon(deferring), true);
    pacer.wake('urgent');
    assert.equal(await settledSoon(pacer.sleep('defer', 60_000)), true);
  });

  void it('after stop every sleep resolves at once', async () => {
    const pacer = new Pacer();
    const sleeping = pacer.sleep('backoff', 60_000);
    pacer.stop();
    assert.equal(await settledSoon(sleeping), true);
    assert.equal(await settledSoon(pacer.sleep('work')), true);
  });
});
