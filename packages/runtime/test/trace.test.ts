import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childTraceparent, traceIdOf } from '@goblog/runtime';

const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

void test('a request trace continues with a new span of ours', () => {
  const child = childTraceparent(incoming);
  assert.equal(traceIdOf(child), '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.notEqual(child, incoming);
  assert.match(child, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
});

void test('without a valid traceparent a new trace begins', () => {
  for (const bad of [undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']) {
    const child = childTraceparent(bad);
    assert.ok(traceIdOf(child), String(bad));
    assert.notEqual(traceIdOf(child), '00000000000000000000000000000000');
  }
});
