import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destinationFor, matchesDestination } from '@goblog/config';

void test("destinations match instance ids by Spring's path rules", () => {
  const id = 'accountservice:6767';
  for (const yes of [
    undefined,
    '',
    '**',
    'accountservice:**',
    'accountservice:6767',
    'accountservice:6767:**',
    'accountservice:*',
    '*:6767',
    'account*:**',
    'accountservice',
    '*',
    'accountservice:676?',
  ]) {
    assert.equal(matchesDestination(yes, id), true, `${String(yes)} should match`);
  }
  for (const no of [
    'vipservice:**',
    'vipservice',
    'accountservice:6868',
    'accountservice:6767:abc',
    'account',
  ]) {
    assert.equal(matchesDestination(no, id), false, `${no} should not match`);
  }
});

void test('a destination path addresses every instance below it, like PathDestinationFactory', () => {
  assert.equal(destinationFor(undefined), '**');
  assert.equal(destinationFor(''), '**');
  assert.equal(destinationFor('accountservice'), 'accountservice:**');
  assert.equal(destinationFor('accountservice:6767'), 'accountservice:6767:**');
  assert.equal(destinationFor('accountservice:**'), 'accountservice:**');
  assert.equal(destinationFor('a:b:c'), 'a:b:c');
});
