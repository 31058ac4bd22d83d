import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedup, memoryDedupStore, retry, withMiddleware, type MessageMeta } from '../src/index.js';

function meta(messageId: string | undefined): MessageMeta {
  return {
    messageId,
    timestamp: undefined,
    type: undefined,
    appId: undefined,
    redelivered: false,
    retryCount: 0,
    headers: {},
    traceparent: undefined,
    body: Buffer.alloc(0),
  };
}

describe('middleware', () => {
  it('retry: re-runs a failing handler with backoff, then lets the last error escape', async () => {
    let calls = 0;
    const handler = withMiddleware<string>(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error(`fail ${calls}`)) : Promise.resolve();
      },
      retry({ attempts: 3, delayMs: 1 }),
    );
    await handler('x', meta('a'));
    assert.equal(calls, 3);
    calls = -10;
    await assert.rejects(handler('x', meta('b')), /fail -7/);
  });

  it('retry: does not retry errors retryIf rejects', async () => {
    let calls = 0;
    const handler = retry<string>({ attempts: 5, delayMs: 1, retryIf: () => false })(() => {
      calls++;
      return Promise.reject(new Error('permanent'));
    });
    await assert.rejects(handler('x', meta('a')), /permanent/);
    assert.equal(calls, 1);
  });

  it('dedup: runs a handler once per message id, again after a failure, always without an id', async () => {
    const seen: string[] = [];
    let failNext = false;
    const handler = dedup<string>(memoryDedupStore())((v) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('transient'));
      }
      seen.push(v);
      return Promise.resolve();
    });
    await handler('one', meta('id-1'));
    await handler('one again', meta('id-1'));
    failNext = true;
    await assert.rejects(handler('two', meta('id-2')));
    await handler('two', meta('id-2'));
    await handler('no id', meta(undefined));
    await handler('no id', meta(undefined));
    assert.deepEqual(seen, ['one', 'two', 'no id', 'no id']);
  });

  it('memoryDedupStore forgets the oldest ids beyond its capacity', () => {
    const store = memoryDedupStore(2);
    void store.add('a');
    void store.add('b');
    void store.add('c');
    assert.equal(store.has('a'), false);
    assert.equal(store.has('c'), true);
  });
});
