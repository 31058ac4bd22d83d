import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deferDelay } from '../src/outbox/deferral.js';

void describe('deferDelay', () => {
  const now = 1_000_000;

  void it('publishes now when nothing waits', () => {
    assert.equal(deferDelay(undefined, now, 10_000, 250), 0);
  });

  void it('waits until the next load check while the oldest entry is young', () => {
    assert.equal(deferDelay(now - 1000, now, 10_000, 250), 250);
  });

  void it('never waits past the oldest entry’s deadline', () => {
    assert.equal(deferDelay(now - 9_900, now, 10_000, 250), 100);
  });

  void it('publishes now once the oldest entry has waited its longest', () => {
    assert.equal(deferDelay(now - 10_000, now, 10_000, 250), 0);
    assert.equal(deferDelay(now - 60_000, now, 10_000, 250), 0);
  });
});
