import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfirmWindow, type Confirmable } from '../src/amqp/confirm-window.js';

interface M extends Confirmable {
  readonly n: number;
}

function filled(count: number, since = (n: number) => n): { w: ConfirmWindow<M>; ms: M[] } {
  const w = new ConfirmWindow<M>();
  const ms: M[] = [];
  for (let n = 1; n <= count; n++) {
    const m = { n, since: since(n), settled: false };
    ms.push(m);
    w.add(m);
  }
  return { w, ms };
}

const settledBy = (w: ConfirmWindow<M>, tag: number, multiple: boolean): number[] => {
  const out: number[] = [];
  w.confirm(tag, multiple, (m) => out.push(m.n));
  return out;
};

describe('ConfirmWindow', () => {
  it('settles single confirms in any order and a multiple confirm up to its tag, each message once', () => {
    const { w } = filled(5);
    assert.deepEqual(settledBy(w, 3, false), [3]);
    assert.deepEqual(settledBy(w, 3, false), [], 'a repeated confirm settles nothing');
    assert.deepEqual(settledBy(w, 4, true), [1, 2, 4]);
    assert.equal(w.size, 1);
    assert.deepEqual(settledBy(w, 5, false), [5]);
    assert.equal(w.size, 0);
    assert.deepEqual(settledBy(w, 9, true), [], 'tags beyond what was written settle nothing');
  });

  it('numbers on from where it is after settled heads are dropped', () => {
    const { w } = filled(2);
    assert.deepEqual(settledBy(w, 1, false), [1]);
    w.add({ n: 3, since: 3, settled: false });
    assert.deepEqual(settledBy(w, 3, false), [3], 'the third write has tag 3');
    assert.deepEqual(settledBy(w, 2, false), [2]);
  });

  it('expires the messages written at or before a deadline, oldest first, and never settles them again', () => {
    const { w } = filled(4, (n) => n * 10);
    const expired: number[] = [];
    w.expire(25, (m) => expired.push(m.n));
    assert.deepEqual(expired, [1, 2]);
    assert.deepEqual(settledBy(w, 4, true), [3, 4], 'the confirm of expired messages is ignored');
  });

  it('undoes a write that did not happen, so the next write takes its tag', () => {
    const { w } = filled(1);
    w.add({ n: 99, since: 0, settled: false });
    w.undoAdd();
    w.add({ n: 2, since: 2, settled: false });
    assert.deepEqual(settledBy(w, 2, false), [2]);
    assert.equal(w.size, 1);
  });

  it('hands back what was not settled on reset, and numbers from 1 again', () => {
    const { w } = filled(3);
    settledBy(w, 2, false);
    assert.deepEqual(
      w.reset().map((m) => m.n),
      [1, 3],
    );
    assert.equal(w.size, 0);
    w.add({ n: 7, since: 0, settled: false });
    assert.deepEqual(settledBy(w, 1, false), [7]);
  });
});
