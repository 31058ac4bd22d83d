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

void test('ids stay unique and well-formed across refills of the random pool', () => {
  // 24 bytes per new trace, 4 KiB per refill: 2,000 traces cross the pool boundary a dozen times.
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const child = childTraceparent(undefined);
    assert.match(child, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, spanId] = child.split('-');
    assert.ok(traceId !== undefined && spanId !== undefined);
    assert.ok(!seen.has(traceId) && !seen.has(spanId), `repeated id at ${String(i)}`);
    seen.add(traceId).add(spanId);
  }
});
