import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Type } from 'typebox';
import { BaseConfigSchema, ConfigError, repoRoot, resolveConfig } from '@goblog/config';

const Schema = Type.Intersect([
  BaseConfigSchema,
  Type.Object({
    vip_account_ids: Type.Array(Type.String(), { default: ['10000'] }),
    db_password: Type.Optional(Type.String()),
  }),
]);
const GOOD = {
  server_port: 6767,
  server_name: 'Accountservice',
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
};

void test('environment beats repository beats defaults; schema defaults fill the rest', () => {
  const config = resolveConfig({
    schema: Schema,
    defaults: { server_port: 1, server_name: 'default', amqp_server_url: 'amqp://localhost' },
    repository: { ...GOOD, vip_account_ids: ['10001'], unknown_key: 'dropped' },
    env: { SERVER_NAME: 'from-env', VIP_ACCOUNT_IDS: '10000, 10042,', SERVER_PORT: '7000' },
  });
  assert.deepEqual(config, {
    server_port: 7000,
    server_name: 'from-env',
    amqp_server_url: GOOD.amqp_server_url,
    vip_account_ids: ['10000', '10042'],
    config_event_bus: 'springCloudBus',
    data_dir: join(repoRoot(), '.data'),
    log_level: 'info',
    work_queue_type: 'quorum',
    work_queue_delivery_limit: 20,
  });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.vip_account_ids));
});

void test('every bad key is named at once in one line, without secrets', () => {
  let error: unknown;
  try {
    resolveConfig({
      schema: Schema,
      defaults: {},
      repository: {
        server_port: 70000,
        amqp_server_url: 'http://guest:Sup3rS3cret@host/',
        log_level: 'loud',
        db_password: { secret: 'x' },
      },
      env: {},
    });
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError);
  assert.equal(error.code, 'INVALID_CONFIG');
  assert.doesNotMatch(error.message, /\n/);
  assert.doesNotMatch(error.message, /Sup3rS3cret/);
  for (const key of ['server_port', 'server_name', 'amqp_server_url', 'log_level', 'db_password']) {
    assert.ok(
      error.problems.some((p) => p.startsWith(`${key}:`)),
      `${key} named in ${error.message}`,
    );
    assert.match(error.message, new RegExp(key));
  }
  assert.match(error.message, /amqp_server_url: must be an amqp:\/\/ or amqps:\/\/ URL/);
  assert.match(error.message, /server_name: is required/);
  assert.match(
    error.message,
    /log_level: must be one of fatal, error, warn, info, debug, trace \(got "loud"\)/,
  );
  assert.match(error.message, /db_password: must be string \(got \(hidden\)\)/);
});

void test('a missing amqp_server_url is named', () => {
  assert.throws(
    () => resolveConfig({ schema: BaseConfigSchema, repository: { server_port: 1, server_name: 'x' } }),
    (err) =>
      err instanceof ConfigError &&
      err.problems.length === 1 &&
      err.message.includes('amqp_server_url: is required'),
  );
});

void test('the caller’s defaults are not frozen with the result', () => {
  const defaults = { ...GOOD, vip_account_ids: ['1'] };
  resolveConfig({ schema: Schema, defaults, env: {} });
  assert.equal(Object.isFrozen(defaults.vip_account_ids), false);
});
