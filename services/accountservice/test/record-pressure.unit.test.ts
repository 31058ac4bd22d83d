import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eitherPressure, recordPressure } from '../src/outbox/record-pressure.js';

/**
 * Commit waits and a clock the test moves by hand: `wait(n, ms)` plays n reads having waited, together, for
 * the `ms` that pass (n waiting on average over that time).
 */
function scene(): {
  waits: { commitWaitMs: number };
  now: () => number;
  wait: (n: number, ms: number) => void;
} {
  const clock = { ms: 0 };
  const waits = { commitWaitMs: 0 };
  return {
    waits,
    now: () => clock.ms,
    wait: (n, ms) => {
      clock.ms += ms;
      waits.commitWaitMs += n * ms;
    },
  };
}

void describe('the record pressure', () => {
  void it('says saturated after two loaded windows in a row, and not after one', () => {
    const { waits, now, wait } = scene();
    const saturated = recordPressure(waits, { threshold: 8, windowMs: 100, now });
    wait(40, 100);
    assert.equal(saturated(), false);
    wait(40, 100);
    assert.equal(saturated(), true);
    wait(0, 100);
    assert.equal(saturated(), false);
    // One loaded window between quiet ones is a blip, not a load.
    wait(40, 100);
    assert.equal(saturated(), false);
    wait(1, 100);
    assert.equal(saturated(), false);
  });

  void it('averages over the window: many reads waiting briefly count as few', () => {
    const { waits, now, wait } = scene();
    const saturated = recordPressure(waits, { threshold: 8, windowMs: 100, now });
    // 50 reads waiting together for 5 ms of every 100: 2.5 on average.
    for (let i = 0; i < 4; i++) {
      wait(50, 5);
      wait(0, 95);
      assert.equal(saturated(), false);
    }
  });

  void it('stays saturated until a window falls below the release average', () => {
    const { waits, now, wait } = scene();
    const saturated = recordPressure(waits, { threshold: 8, releaseBelow: 4, windowMs: 100, now });
    wait(20, 100);
    saturated();
    wait(20, 100);
    assert.equal(saturated(), true);
    wait(5, 100); // below the threshold, not below the release average
    assert.equal(saturated(), true);
    wait(3, 100);
    assert.equal(saturated(), false);
  });

  void it('repeats its last answer within a window without looking again', () => {
    const { waits, now, wait } = scene();
    const saturated = recordPressure(waits, { threshold: 8, windowMs: 100, now });
    wait(20, 100);
    saturated();
    wait(20, 100);
    assert.equal(saturated(), true);
    wait(0, 50);
    assert.equal(saturated(), true);
    wait(0, 100);
    assert.equal(saturated(), false);
  });

  void it('combines with another signal: saturated while either says so', () => {
    let a = false;
    let b = false;
    const either = eitherPressure(
      () => a,
      () => b,
    );
    assert.equal(either(), false);
    b = true;
    assert.equal(either(), true);
    a = true;
    b = false;
    assert.equal(either(), true);
  });
});
