import { test } from 'node:test';
import assert from 'node:assert/strict';
import { within } from '@goblog/runtime';

void test('within resolves with the promise, whether it fulfils or rejects', async () => {
  let settled = false;
  await within(
    new Promise((resolve) => setImmediate(resolve)).then(() => (settled = true)),
    60_000,
  );
  assert.equal(settled, true);
  await within(Promise.reject(new Error('not passed on')), 60_000);
});

void test('within resolves after its time when the promise never settles', async () => {
  await within(new Promise(() => undefined), 5);
});
