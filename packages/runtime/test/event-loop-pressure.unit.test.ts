import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopPressure } from '@goblog/runtime';
import type { LoadReading } from '@goblog/runtime';

/**
 * Readings a test advances by hand: `window(ms, busy, cpu)` moves time on by `ms`, the event loop active
 * for `busy` of it and the process on the CPU for `cpu` of it (fractions of the window).
 */
function readings(): { read: () => LoadReading; window: (ms: number, busy: number, cpu?: number) => void } {
  let at = 0;
  let busyMs = 0;
  let cpuMs = 0;
  return {
    read: () => ({ at, busyMs, cpuMs }),
    window(ms, busy, cpu = busy) {
      at += ms;
      busyMs += ms * busy;
      cpuMs += ms * cpu;
    },
  };
}

/** Blocks the event loop for `ms` with synchronous work: a callback that keeps the CPU. */
function spinFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Blocks the event loop for `ms` without using the CPU: how a process kept off the CPU looks to it. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

void test('two loaded windows in a row read as saturated, idle ones do not', () => {
  const load = readings();
  const saturated = loopPressure({ threshold: 0.75, windowMs: 100, read: load.read });
  load.window(100, 0.9);
  assert.equal(saturated(), false, 'one window is no sustained load');
  load.window(100, 0.9);
  assert.equal(saturated(), true);
  load.window(100, 0.1);
  assert.equal(saturated(), false);
});

void test('within one window the last answer is repeated', () => {
  const load = readings();
  const saturated = loopPressure({ threshold: 0.75, windowMs: 100, read: load.read });
  load.window(100, 1);
  saturated();
  load.window(100, 1);
  assert.equal(saturated(), true);
  // Idle, but for less than a window: nothing is measured, the answer stands.
  load.window(50, 0);
  assert.equal(saturated(), true);
});

void test('saturation lasts until the utilisation falls below the release level', () => {
  const load = readings();
  const saturated = loopPressure({ threshold: 0.9, releaseBelow: 0.1, windowMs: 100, read: load.read });
  load.window(100, 0.5);
  load.window(100, 0.5);
  assert.equal(saturated(), false, 'half busy: below the threshold');
  load.window(100, 1);
  saturated();
  load.window(100, 1);
  assert.equal(saturated(), true);
  load.window(100, 0.5);
  assert.equal(saturated(), true, 'half busy once saturated: above the release level');
  load.window(100, 0.05);
  assert.equal(saturated(), false);
});

void test('a busy event loop that does not get the CPU is not saturated by its own work', () => {
  const load = readings();
  const saturated = loopPressure({ threshold: 0.75, windowMs: 100, read: load.read });
  // The loop is active all along, but the process ran for a tenth of the time: other processes hold the CPU.
  load.window(100, 1, 0.1);
  saturated();
  load.window(100, 1, 0.1);
  assert.equal(saturated(), false);
});

void test('the busy startup of a process alone does not count as saturation', () => {
  const saturated = loopPressure({ windowMs: 50 });
  // Module loading and compilation: one long stretch of synchronous work, then the first question.
  spinFor(120);
  assert.equal(saturated(), false);
});

void test('an event loop blocked off the CPU does not read as saturated', () => {
  const saturated = loopPressure({ windowMs: 50 });
  blockFor(120);
  saturated();
  blockFor(120);
  assert.equal(saturated(), false);
});
