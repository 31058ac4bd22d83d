import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_CHANGED_DESTINATIONS,
  destinationsForPaths,
  isDestinationError,
  isPlausibleDestination,
} from '@goblog/configserver';

void test('plausible destinations: an application, an instance, or a few bounded wildcards', () => {
  for (const yes of [
    'accountservice',
    'accountservice:6767',
    'accountservice:**',
    'accountservice:6767:**',
    '**',
    '*',
    '*:6767',
    'account*:**',
    'account*:67?7',
    'config-server_2.x:*',
    'a:b:c:d',
  ]) {
    assert.equal(isPlausibleDestination(yes), true, yes);
  }
  for (const no of [
    '',
    `${'*'.repeat(40)}Z`,
    'a***',
    'a**b',
    'a*b*c*d',
    'a??b?',
    'a b',
    'a::b',
    ':a',
    'a:b:c:d:e',
    'a/b',
    '{name}:**',
    'x'.repeat(201),
  ]) {
    assert.equal(isPlausibleDestination(no), false, no);
  }
});

void test('a /monitor path naming a run of stars is refused, not announced', () => {
  assert.throws(
    () => destinationsForPaths([`${'*'.repeat(40)}Z`]),
    (err) => isDestinationError(err) && err.code === 'IMPLAUSIBLE_DESTINATION',
  );
  // Refused even beside a shared file that would otherwise make it one `**` event.
  assert.throws(
    () => destinationsForPaths(['application.yml', `${'*'.repeat(40)}Z.yml`]),
    isDestinationError,
  );
});

void test('one call announces a bounded number of destinations, however many names it is given', () => {
  const dashed = Array.from({ length: 80 }, () => 'a').join('-');
  assert.throws(
    () => destinationsForPaths([`${dashed}.yml`]),
    (err) => isDestinationError(err) && err.code === 'TOO_MANY_DESTINATIONS',
  );
  const many = Array.from({ length: MAX_CHANGED_DESTINATIONS + 1 }, (_, i) => `app${i}.yml`);
  assert.throws(() => destinationsForPaths(many), isDestinationError);
  assert.equal(destinationsForPaths(many.slice(1)).length, MAX_CHANGED_DESTINATIONS);
  // Names repeated any number of times are one destination each.
  assert.deepEqual(destinationsForPaths(Array.from({ length: 10_000 }, () => 'accountservice.yml')), [
    'accountservice:**',
  ]);
});
