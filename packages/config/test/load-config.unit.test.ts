import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from 'typebox';
import { BaseConfigSchema, configSourceFromEnv, isConfigError, loadConfig } from '@goblog/config';
import { tempConfigRepo } from '@goblog/testkit';

const Schema = Type.Intersect([
  BaseConfigSchema,
  Type.Object({ vip_account_ids: Type.Array(Type.String(), { default: ['10000'] }) }),
]);
const FILES = {
  'application.yml': 'config_event_bus: springCloudBus\nlog_level: info\n',
  'accountservice.yml': 'server_name: Accountservice\nserver_port: 6767\nvip_account_ids:\n  - "10000"\n',
  'accountservice-dev.yml': 'amqp_server_url: amqp://guest:guest@127.0.0.1:5672/\n',
};

void test('without CONFIG_SERVER_URL the repository folder is read directly', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const source = configSourceFromEnv('accountservice', { CONFIG_REPO: repo.dir });
  assert.equal(source.profile, 'dev');
  const live = await loadConfig({ schema: Schema, defaults: {}, source, env: { LOG_LEVEL: 'debug' } });
  assert.equal(live.current.server_port, 6767);
  assert.equal(live.current.log_level, 'debug');
  assert.deepEqual(live.current.vip_account_ids, ['10000']);
});

void test('refresh swaps the value, tells listeners what changed, and holds restart keys', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const source = configSourceFromEnv('accountservice', { CONFIG_REPO: repo.dir });
  const warnings: string[] = [];
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn: (_: object, msg?: string) => warnings.push(msg ?? ''),
  };
  const live = await loadConfig({
    schema: Schema,
    defaults: {},
    source,
    env: {},
    logger,
    restartKeys: ['server_port'],
  });
  const before = live.current;
  const seen: (readonly string[])[] = [];
  live.onChange((next, previous, changed) => {
    assert.equal(previous, before);
    assert.deepEqual(next.vip_account_ids, ['10000', '10001']);
    seen.push(changed);
  });

  repo.write(
    'accountservice.yml',
    'server_name: Accountservice\nserver_port: 7000\nvip_account_ids: ["10000", "10001"]\n',
  );
  assert.deepEqual(await live.refresh(), { changed: ['vip_account_ids'] });
  assert.deepEqual(seen, [['vip_account_ids']]);
  assert.equal(live.current.server_port, 6767);
  assert.ok(warnings.some((w) => w.includes('server_port') && w.includes('needs a restart')));
  assert.deepEqual(await live.refresh(), { changed: [] });
});

void test('an invalid refreshed configuration is rejected and the old one stays', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const live = await loadConfig({
    schema: Schema,
    defaults: {},
    source: configSourceFromEnv('accountservice', { CONFIG_REPO: repo.dir }),
    env: {},
  });
  const before = live.current;
  repo.write('accountservice-dev.yml', 'amqp_server_url: nonsense\n');
  await assert.rejects(
    live.refresh(),
    (err) => isConfigError(err, 'INVALID_CONFIG') && /amqp_server_url/.test(err.message),
  );
  assert.equal(live.current, before);
});

void test('env beats the configuration server, which beats defaults; credentials are sent', async () => {
  let authorization: string | undefined;
  let path: string | undefined;
  const server = createServer((req, res) => {
    authorization = req.headers.authorization;
    path = req.url;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'accountservice',
        profiles: ['dev'],
        label: null,
        version: null,
        state: null,
        propertySources: [
          { name: 'accountservice-dev.yml', source: { server_port: 6767, 'vip_account_ids[0]': '10001' } },
          {
            name: 'application.yml',
            source: { server_name: 'from-server', 'vip_account_ids[0]': 'x', 'vip_account_ids[1]': 'y' },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const source = configSourceFromEnv('accountservice', {
      CONFIG_SERVER_URL: `http://127.0.0.1:${port}`,
      CONFIG_SERVER_USER: 'user',
      CONFIG_SERVER_PASSWORD: 'pw',
      CONFIG_LABEL: 'feature/x',
    });
    const live = await loadConfig({
      schema: Schema,
      defaults: { amqp_server_url: 'amqp://default', server_name: 'default' },
      source,
      env: { AMQP_SERVER_URL: 'amqp://guest:guest@127.0.0.1:5672/' },
    });
    assert.equal(path, '/accountservice/dev/feature(_)x');
    assert.equal(authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`);
    assert.equal(live.current.server_name, 'from-server');
    assert.deepEqual(live.current.vip_account_ids, ['10001']);
    assert.equal(live.current.amqp_server_url, 'amqp://guest:guest@127.0.0.1:5672/');
  } finally {
    server.close();
  }
});

void test('an unreachable configuration server fails after a bounded retry with one clear line', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  const source = configSourceFromEnv('accountservice', {
    CONFIG_SERVER_URL: `http://user:pw@127.0.0.1:${port}`,
  });
  await assert.rejects(
    loadConfig({ schema: Schema, defaults: {}, source, env: {}, startupRetryMs: 300 }),
    (err) =>
      isConfigError(err, 'SERVER_UNREACHABLE') &&
      err.message.startsWith(`cannot reach configuration server at http://127.0.0.1:${port}`) &&
      !err.message.includes('pw'),
  );
});

void test("credentials in the URL's user info are sent as basic auth, decoded; CONFIG_SERVER_USER/PASSWORD win", async () => {
  const seen: { authorization: string | undefined; url: string | undefined }[] = [];
  const server = createServer((req, res) => {
    seen.push({ authorization: req.headers.authorization, url: req.url });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'accountservice',
        profiles: ['dev'],
        label: null,
        version: null,
        state: null,
        propertySources: [
          { name: 'application.yml', source: { server_name: 'from-server', server_port: 6767 } },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const load = (env: NodeJS.ProcessEnv) =>
      loadConfig({
        schema: Schema,
        defaults: { amqp_server_url: 'amqp://default', server_name: 'default' },
        source: configSourceFromEnv('accountservice', env),
        env: {},
      });
    const basic = (user: string, password: string): string =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    // Percent-encoded in the URL, as a user name with a space and a password with '@' must be.
    const fromUrl = await load({ CONFIG_SERVER_URL: `http://cfg%20user:p%40ss%3Aw0rd@127.0.0.1:${port}` });
    assert.equal(fromUrl.current.server_name, 'from-server');
    assert.deepEqual(seen[0], { authorization: basic('cfg user', 'p@ss:w0rd'), url: '/accountservice/dev' });

    await load({
      CONFIG_SERVER_URL: `http://urluser:urlpw@127.0.0.1:${port}`,
      CONFIG_SERVER_USER: 'envuser',
      CONFIG_SERVER_PASSWORD: 'envpw',
    });
    assert.equal(seen[1]?.authorization, basic('envuser', 'envpw'));

    await load({ CONFIG_SERVER_URL: `http://127.0.0.1:${port}` });
    assert.equal(seen[2]?.authorization, undefined, 'no credentials, no header');
  } finally {
    server.close();
  }
});
