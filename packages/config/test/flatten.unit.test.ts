import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flatten, mergePropertySources, unflatten } from '@goblog/config';

/** unflatten rebuilds objects without a prototype; compared here by content. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

void test('flatten joins nested keys with dots and indexes lists, keeping YAML types', () => {
  const flat = flatten({
    server_port: 6767,
    a: { b: { c: true } },
    list: ['x', { y: 1 }],
    empty: [],
    nothing: null,
  });
  assert.deepEqual(flat, {
    server_port: 6767,
    'a.b.c': true,
    'list[0]': 'x',
    'list[1].y': 1,
    empty: '',
    nothing: '',
  });
});

void test('unflatten is the inverse for maps and lists', () => {
  const nested = { vip_account_ids: ['10000', '10042'], a: { b: 1, list: [{ x: 'y' }] }, port: 1 };
  assert.deepEqual(plain(unflatten(flatten(nested))), nested);
});

void test('merging takes the most specific source per key and lists whole from one source', () => {
  const merged = mergePropertySources([
    { name: 'app-dev.yml', source: { 'ids[0]': 'a', port: 1 } },
    { name: 'app.yml', source: { 'ids[0]': 'x', 'ids[1]': 'y', port: 2, name: 'app' } },
    { name: 'application.yml', source: { level: 'info', name: 'shared' } },
  ]);
  assert.deepEqual(merged, { 'ids[0]': 'a', port: 1, name: 'app', level: 'info' });
  assert.deepEqual(plain(unflatten(merged)), { ids: ['a'], port: 1, name: 'app', level: 'info' });
});
