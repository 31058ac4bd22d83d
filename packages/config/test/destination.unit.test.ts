import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destinationFor, matchesDestination } from '@goblog/config';
import { matchOffThread } from './match-off-thread.js';

// Generous: a linear matcher answers at once; the exponential one it replaced never answered these at all.
const HOSTILE = { timeout: 20_000 };

void test("destinations match instance ids by Spring's path rules", () => {
  const id = 'accountservice:6767';
  for (const yes of [
    undefined,
    null,
    '',
    '   ',
    '**',
    'accountservice:**',
    'accountservice:6767',
    'accountservice:6767:**',
    'accountservice:*',
    '*:6767',
    '**:6767',
    'account*:**',
    'accountservice',
    '*',
    'accountservice:676?',
    '*service:67*7',
    'a*c*e:6*',
    'accountservice:**:6767',
    '**:accountservice:**:6767:**',
    'acc**service:6767',
  ]) {
    assert.equal(matchesDestination(yes, id), true, `${String(yes)} should match`);
  }
  for (const no of [
    'vipservice:**',
    'vipservice',
    'accountservice:6868',
    'accountservice:6767:abc',
    'account',
    'accountservice:676??',
    'accountservice:67?',
    'Accountservice',
    '*:*:*',
    'accountservice:6767:*',
    '*service:6868',
  ]) {
    assert.equal(matchesDestination(no, id), false, `${no} should not match`);
  }
});

void test('a destination longer than 256 characters addresses no one', () => {
  const id = 'accountservice:6767';
  const longButMatching = `accountservice:6767${':**'.repeat(80)}`;
  assert.ok(longButMatching.length > 256);
  assert.equal(matchesDestination(longButMatching, id), false);
  assert.equal(matchesDestination('*'.repeat(257), id), false);
  assert.equal(matchesDestination(`accountservice:6767${':**'.repeat(70)}`, id), true);
});

void test(
  '40 stars before a character that never comes are answered, not backtracked',
  HOSTILE,
  async (t) => {
    const stars = '*'.repeat(40);
    const id = 'accountservice:6767';
    const answers = await matchOffThread(
      [
        [`${stars}Z`, id],
        [`${stars}Z:**`, id],
        [`${stars}e`, id],
      ],
      t.signal,
    );
    assert.deepEqual(answers, [false, false, true]);
  },
);

void test(
  'a 200-character pattern of stars and letters against a long id is answered',
  HOSTILE,
  async (t) => {
    const pattern = `${'*a'.repeat(99)}b`;
    assert.equal(pattern.length, 199);
    const id = `${'a'.repeat(200)}:6767`;
    const answers = await matchOffThread(
      [
        [pattern, id],
        [`${'*a'.repeat(99)}*`, id],
        ['?*'.repeat(100), id],
      ],
      t.signal,
    );
    assert.deepEqual(answers, [false, true, true]);
  },
);

void test('many ** segments against an id of many segments are answered', HOSTILE, async (t) => {
  const id = Array.from({ length: 60 }, () => 'a').join(':');
  const answers = await matchOffThread(
    [
      [`${'**:'.repeat(60)}x`, id],
      [`${'**:a:'.repeat(30)}**`, id],
      [`${'**:*a*:'.repeat(30)}**:b`, id],
    ],
    t.signal,
  );
  assert.deepEqual(answers, [false, true, false]);
});

void test('a destination path addresses every instance below it, like PathDestinationFactory', () => {
  assert.equal(destinationFor(undefined), '**');
  assert.equal(destinationFor(''), '**');
  assert.equal(destinationFor('accountservice'), 'accountservice:**');
  assert.equal(destinationFor('accountservice:6767'), 'accountservice:6767:**');
  assert.equal(destinationFor('accountservice:**'), 'accountservice:**');
  assert.equal(destinationFor('a:b:c'), 'a:b:c');
});
