import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loopPressure } from '@goblog/runtime';

/** Keeps the event loop busy (synchronous work) for `ms`, yielding between slices so timers still run. */
async function spin(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 5;
    while (performance.now() < slice);
    await nextTurn();
  }
}

void test('a busy event loop reads as saturated, an idle one does not', async () => {
  const saturated = loopPressure({ threshold: 0.75, windowMs: 20 });
  await spin(60);
  assert.equal(saturated(), true);
  // Idle: waiting on a timer keeps the loop free.
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(saturated(), false);
});

void test('within one window the last answer is repeated', async () => {
  const saturated = loopPressure({ threshold: 0.5, windowMs: 60_000 });
  await spin(30);
  // Less than a window since it was created: nothing is measured yet, so the initial answer stands.
  assert.equal(saturated(), false);
});

/** Keeps the event loop about half busy for `ms`: 5 ms of work, then 5 ms waiting on a timer. */
async function halfBusy(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const slice = performance.now() + 5;
    while (performance.now() < slice);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

void test('saturation lasts until the utilisation falls below the release level', async () => {
  const saturated = loopPressure({ threshold: 0.9, releaseBelow: 0.1, windowMs: 20 });
  // Half busy from the start: below the threshold, so not saturated.
  await halfBusy(60);
  assert.equal(saturated(), false);
  await spin(60);
  assert.equal(saturated(), true);
  // Half busy once saturated: above the release level, so still saturated.
  await halfBusy(60);
  assert.equal(saturated(), true);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(saturated(), false);
});
