import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayValue } from '../src/problems.ts';

void test('a broker URL is shown without its password, even when it is mistyped', () => {
  for (const url of [
    'amqp://alice:s3cretpw@127.0.0.1:5672/',
    'amqp//alice:s3cretpw@127.0.0.1:5672/',
    'amqp:/alice:s3cretpw@127.0.0.1:5672/',
    'alice:s3cretpw@127.0.0.1:5672',
  ]) {
    const shown = displayValue('amqp_server_url', url);
    assert.doesNotMatch(shown, /s3cretpw/, url);
    assert.match(shown, /alice:\*\*\*@/, url);
  }
});

void test('values of secret-looking keys are never shown', () => {
  assert.equal(displayValue('encrypt_key', 'k3y'), '(hidden)');
  assert.equal(displayValue('db_password', 'pw'), '(hidden)');
});
