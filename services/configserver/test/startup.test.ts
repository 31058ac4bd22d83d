import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempConfigRepo } from '@goblog/testkit';
import { runConfigServerToExit, startConfigServer } from './helpers.js';

void test('an invalid environment exits non-zero with one line naming every bad key, no secret', async () => {
  const { code, stderr } = await runConfigServerToExit({
    SERVER_PORT: 'eighty',
    AMQP_SERVER_URL: 'http://guest:Sup3rS3cret@127.0.0.1:5672/',
    LOG_LEVEL: 'chatty',
    CONFIG_SERVER_USER: 'only-a-user',
  });
  assert.notEqual(code, 0);
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !/Deprecation|trace-warnings/.test(l));
  assert.equal(lines.length, 1, stderr);
  const [line = ''] = lines;
  assert.match(line, /^configserver: invalid configuration: /);
  for (const key of ['server_port', 'amqp_server_url', 'log_level']) assert.match(line, new RegExp(key));
  assert.doesNotMatch(line, /Sup3rS3cret/);
});

void test('basic auth needs both the user and the password', async () => {
  const { code, stderr } = await runConfigServerToExit({ CONFIG_SERVER_USER: 'only-a-user' });
  assert.notEqual(code, 0);
  assert.match(stderr, /config_server_password: is required when config_server_user is set/);
});

void test('an unreachable broker exits non-zero with one line saying so and how to start RabbitMQ', async () => {
  const { code, stderr } = await runConfigServerToExit({
    AMQP_SERVER_URL: 'amqp://guest:Sup3rS3cret@127.0.0.1:1/',
  });
  assert.notEqual(code, 0);
  assert.match(
    stderr,
    /configserver: message broker unreachable: cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\//,
  );
  assert.match(stderr, /rabbitmq-server -detached/);
  assert.match(stderr, /docker run -d .*rabbitmq:4-management/);
  assert.doesNotMatch(stderr, /Sup3rS3cret/);
});

void test('a missing repository folder exits non-zero naming it', async () => {
  const { code, stderr } = await runConfigServerToExit({ CONFIG_REPO: '/nonexistent/config-repo' });
  assert.notEqual(code, 0);
  assert.match(stderr, /config_repo: folder \/nonexistent\/config-repo cannot be read/);
});

void test('SIGTERM closes the server and the broker connection and exits 0; /health is UP until then', async () => {
  using repo = tempConfigRepo();
  await using server = await startConfigServer({ repoDir: repo.dir });
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'UP');
  assert.equal(await server.stop('SIGTERM'), 0);
  await server.waitForLog((line) => line.msg === 'stopped');
});

void test('/health is DOWN (503) while the repository folder cannot be read', async () => {
  const repo = tempConfigRepo();
  await using server = await startConfigServer({ repoDir: repo.dir });
  repo[Symbol.dispose]();
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 503);
  assert.equal(((await health.json()) as { status: string }).status, 'DOWN');
});
