import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from 'typebox';
import { parse } from 'yaml';
import {
  BaseConfigSchema,
  configSourceFromEnv,
  createConfigRepository,
  flatten,
  loadConfig,
  mergePropertySources,
  unflatten,
} from '@goblog/config';
import { captureLogger, tempConfigRepo } from '@goblog/testkit';

const REQUIRED = {
  server_port: 6767,
  server_name: 'Accountservice',
  amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
};
const Schema = Type.Intersect([
  BaseConfigSchema,
  Type.Object({ vip_account_ids: Type.Array(Type.String(), { default: ['10000'] }) }),
]);

/** What a polluted Object.prototype would show through any fresh object. */
function inherited(name: string): unknown {
  return (Object.create(Object.prototype) as Record<string, unknown>)[name];
}

afterEach(() => {
  // A failing run must not leave the next test looking at a polluted prototype.
  for (const name of ['polluted', 'priority', 'x', 'expiration']) {
    Reflect.deleteProperty(Object.prototype, name);
  }
});

void test('unflatten never writes through __proto__, prototype or constructor', () => {
  const nested = unflatten({
    '__proto__.polluted': 'yes',
    'a.__proto__.polluted': 'yes',
    'constructor.prototype.polluted': 'yes',
    'list.__proto__.polluted': 'yes',
    'list[0]': 'x',
    'list.length': 0,
    kept: 1,
  });
  assert.equal(inherited('polluted'), undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(nested), ['list', 'kept']);
  assert.deepEqual(nested.list, ['x']);
  assert.equal(Object.getPrototypeOf(nested), null, 'rebuilt without a prototype');
});

void test('a YAML __proto__ map is ignored by flatten and unflatten', () => {
  const yaml = 'server_name: Accountservice\n__proto__:\n  priority: x\nconstructor:\n  name: y\n';
  const flat = flatten(parse(yaml));
  assert.deepEqual(Object.keys(flat), ['server_name']);
  const nested = unflatten(flat);
  assert.equal(inherited('priority'), undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(nested)), { server_name: 'Accountservice' });
});

void test('a .properties line __proto__.x=1 is not served, and one warning names it', async () => {
  using repo = tempConfigRepo({
    copy: false,
    files: {
      'app.properties': '__proto__.x=1\nname=ok\nconstructor.prototype.x=2\n',
      'app.yml': '__proto__:\n  priority: secret-value\nport: 1\n',
    },
  });
  const logger = captureLogger();
  const env = await createConfigRepository({ dir: repo.dir, logger }).findOne('app', 'default');
  assert.equal(inherited('x'), undefined);
  assert.equal(inherited('priority'), undefined);
  assert.deepEqual(
    env.propertySources.map((s) => Object.keys(s.source)),
    [['name'], ['port']],
  );
  const warnings = logger.lines.filter((e) => e.level === 'warn');
  assert.equal(warnings.length, 1);
  const line = warnings[0]?.msg ?? '';
  for (const key of ['__proto__.x', 'constructor.prototype.x', '__proto__.priority'])
    assert.ok(line.includes(key), line);
  assert.ok(!line.includes('secret-value'), 'names only, never values');
});

void test('merging sources from JSON with a __proto__ key leaves Object.prototype alone', () => {
  const source = JSON.parse(
    '{"__proto__": {"polluted": "yes"}, "__proto__.priority": "x", "a": 1}',
  ) as Record<string, unknown>;
  const ignored: string[] = [];
  const merged = mergePropertySources([{ name: 'hostile', source }], ignored);
  assert.equal(inherited('polluted'), undefined);
  assert.deepEqual(Object.keys(merged), ['a']);
  assert.deepEqual(ignored, ['__proto__', '__proto__.priority']);
  assert.deepEqual(JSON.parse(JSON.stringify(unflatten(merged))), { a: 1 });
});

void test('a configuration server answering __proto__ keys: they are dropped with one warning line', async () => {
  const environment = {
    name: 'accountservice',
    profiles: ['dev'],
    label: null,
    version: null,
    state: null,
    propertySources: [
      {
        name: 'hostile.yml',
        source: { '__proto__.priority': 'x', '__proto__.expiration': '1', 'vip_account_ids[0]': '10001' },
      },
    ],
  };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(environment));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const logger = captureLogger();
    const live = await loadConfig({
      schema: Schema,
      defaults: REQUIRED,
      source: configSourceFromEnv('accountservice', { CONFIG_SERVER_URL: `http://127.0.0.1:${port}` }),
      env: {},
      logger,
    });
    assert.deepEqual(live.current.vip_account_ids, ['10001']);
    assert.equal(inherited('priority'), undefined);
    assert.equal(inherited('expiration'), undefined);
    const warnings = logger.lines.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.msg ?? '', /__proto__\.priority, __proto__\.expiration/);
  } finally {
    server.close();
  }
});

void test('reading the repository folder directly: the service loads, one warning names the keys', async () => {
  using repo = tempConfigRepo({
    copy: false,
    files: {
      'accountservice.yml': 'vip_account_ids:\n  - "10042"\n__proto__:\n  priority: x\n',
    },
  });
  const logger = captureLogger();
  const live = await loadConfig({
    schema: Schema,
    defaults: REQUIRED,
    source: configSourceFromEnv('accountservice', { CONFIG_REPO: repo.dir }),
    env: {},
    logger,
  });
  assert.deepEqual(live.current.vip_account_ids, ['10042']);
  assert.equal(inherited('priority'), undefined);
  const warnings = logger.lines.filter((e) => e.level === 'warn').map((e) => e.msg);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /__proto__\.priority in accountservice\.yml/);
});
