import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import type { Channel } from 'amqplib';
import { ManagedChannel } from '../src/amqp/managed-channel.js';
import { FakeHost } from './support/fake-amqp.js';

/** Lets the channel's loop run through its awaits (promises and the fake's immediates). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

afterEach(() => {
  mock.timers.reset();
});

describe('ManagedChannel', () => {
  it('re-opens a channel that attached and then failed after the shortest backoff, however many came before', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const host = new FakeHost();
    const model = host.model;
    assert.ok(model);
    let attached = 0;
    const managed = new ManagedChannel<Channel>(host, 'test', false, {
      setup: () => Promise.resolve(),
      attached: () => {
        attached++;
      },
      detached: () => undefined,
    });
    managed.start();
    try {
      for (let life = 1; life <= 8; life++) {
        const ch = await model.nextChannel();
        assert.equal(attached, life);
        ch.fail('PRECONDITION_FAILED - the broker closed the channel');
        await settle();
        // The shortest backoff is at most 200 ms: a creeping one would keep the channel closed here.
        mock.timers.tick(200);
        await settle();
        assert.equal(model.channels.length, life + 1, `life ${life + 1} opened after the shortest backoff`);
      }
    } finally {
      await managed.stop();
    }
  });

  it('backs off longer and longer while the channel keeps failing before it attaches', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const host = new FakeHost();
    const model = host.model;
    assert.ok(model);
    let setups = 0;
    const managed = new ManagedChannel<Channel>(host, 'test', false, {
      setup: () => {
        setups++;
        // Refused after the first attach: counted as a failure of the channel, not reported.
        return setups === 1 ? Promise.resolve() : Promise.reject(new Error('NOT_FOUND - no queue'));
      },
      attached: () => undefined,
      detached: () => undefined,
    });
    managed.start();
    try {
      (await model.nextChannel()).fail('the first life ends');
      await settle();
      mock.timers.tick(200);
      await settle();
      assert.equal(setups, 2, 'the second life opened after the shortest backoff');
      // Failures 2, 3, 4 in a row: the backoff is over 200 ms now (at least half of 200 * 2^2).
      for (let i = 0; i < 2; i++) {
        mock.timers.tick(10_000);
        await settle();
      }
      const before = setups;
      mock.timers.tick(200);
      await settle();
      assert.equal(setups, before, 'no new attempt within the shortest backoff after repeated failures');
    } finally {
      await managed.stop();
    }
  });
});
