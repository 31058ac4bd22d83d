import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import {
  BaseConfigSchema,
  configSourceFromEnv,
  loadConfig,
  subscribeToRefresh,
  type LiveConfig,
} from '@goblog/config';
import { connectAmqp, type Transport } from '@goblog/messaging';
import { BROKER_URL, captureLogger, metricValue, tempConfigRepo, withTimeout } from '@goblog/testkit';
import type { LogLine, TempRepo } from '@goblog/testkit';
import { startConfigServer, tapBus, type ConfigServerProcess } from './helpers.js';

const Schema = Type.Evaluate(
  Type.Intersect([
    BaseConfigSchema,
    Type.Object({ vip_account_ids: Type.Array(Type.String(), { default: [] }) }),
  ]),
);

let repo: TempRepo;
let server: ConfigServerProcess;
let transport: Transport;

before(async () => {
  repo = tempConfigRepo();
  server = await startConfigServer({ repoDir: repo.dir });
  transport = await connectAmqp({ url: BROKER_URL, connectionName: `configserver-bus-test:${server.bus}` });
});

after(async () => {
  await transport.close();
  await server[Symbol.asyncDispose]();
  repo[Symbol.dispose]();
});

interface SpringEvent {
  type: string;
  timestamp: number;
  originService: string;
  destinationService: string;
  id: string;
}

void test('POST /actuator/busrefresh publishes Spring’s RefreshRemoteApplicationEvent for **', async () => {
  await using tap = await tapBus(server.bus);
  const before = Date.now();
  const res = await fetch(`${server.url}/actuator/busrefresh`, { method: 'POST' });
  assert.equal(res.status, 204);
  const msg = await tap.next();
  assert.equal(msg.fields.exchange, server.bus);
  assert.equal(msg.fields.routingKey, server.bus);
  assert.equal(msg.properties.contentType, 'application/json');
  assert.equal(msg.properties.deliveryMode, 2);
  const event = JSON.parse(msg.content.toString()) as SpringEvent;
  assert.deepEqual(Object.keys(event), ['type', 'timestamp', 'originService', 'destinationService', 'id']);
  assert.equal(event.type, 'RefreshRemoteApplicationEvent');
  assert.equal(event.destinationService, '**');
  assert.equal(event.originService, `configserver:${server.port}`);
  assert.ok(event.timestamp >= before && event.timestamp <= Date.now());
  assert.match(event.id, /^[0-9a-f-]{36}$/);
});

void test('a destination names an application (all instances) or one instance', async () => {
  await using tap = await tapBus(server.bus);
  const destinations: string[] = [];
  for (const path of [
    '/actuator/busrefresh/accountservice',
    '/actuator/busrefresh/accountservice:6767',
    '/actuator/busrefresh?destination=vipservice',
  ]) {
    assert.equal((await fetch(`${server.url}${path}`, { method: 'POST' })).status, 204, path);
    destinations.push((JSON.parse((await tap.next()).content.toString()) as SpringEvent).destinationService);
  }
  assert.deepEqual(destinations, ['accountservice:**', 'accountservice:6767:**', 'vipservice:**']);
  const bad = await fetch(`${server.url}/actuator/busrefresh/${encodeURIComponent('a b')}`, {
    method: 'POST',
  });
  assert.equal(bad.status, 400);

  // The usual Spring recipe: curl -X POST -H 'Content-Type: application/json' .../actuator/busrefresh
  const emptyJson = await fetch(`${server.url}/actuator/busrefresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(emptyJson.status, 204);
  assert.equal((JSON.parse((await tap.next()).content.toString()) as SpringEvent).destinationService, '**');
  const broken = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"path":',
  });
  assert.equal(broken.status, 400);
});

void test('POST /monitor with path=<name> (form, JSON, or a GitHub push webhook) publishes for that application', async () => {
  await using tap = await tapBus(server.bus);
  const next = async () =>
    (JSON.parse((await tap.next()).content.toString()) as SpringEvent).destinationService;

  const form = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'path=vipservice',
  });
  assert.equal(form.status, 200);
  assert.deepEqual(await form.json(), ['vipservice:**']);
  assert.equal(await next(), 'vipservice:**');

  const json = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: 'application.yml' }),
  });
  assert.deepEqual(await json.json(), ['**']);
  assert.equal(await next(), '**');

  const github = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    body: JSON.stringify({
      commits: [{ added: [], modified: ['config-repo/accountservice.yml'], removed: [] }],
    }),
  });
  assert.deepEqual(await github.json(), ['accountservice:**']);
  assert.equal(await next(), 'accountservice:**');

  const empty = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(empty.status, 400);
});

async function startInstance(application: string, port: number) {
  const logger = captureLogger();
  const live = await loadConfig({
    schema: Schema,
    defaults: {},
    source: configSourceFromEnv(application, { CONFIG_SERVER_URL: server.url }),
    env: {},
  });
  const subscription = await subscribeToRefresh({
    transport,
    live,
    application,
    instanceId: `${application}:${port}`,
    bus: server.bus,
    logger,
  });
  const handled = (eventId: string, how: 'applied' | 'ignored') =>
    logger.waitFor((e: LogLine) => e.obj.eventId === eventId && e.msg.includes(how));
  return { live, logger, handled, [Symbol.asyncDispose]: () => subscription.close() };
}

function nextChange<T>(live: LiveConfig<T>): Promise<{ next: Readonly<T>; changed: readonly string[] }> {
  return new Promise((resolve) => {
    const off = live.onChange((next, _previous, changed) => {
      off();
      resolve({ next, changed });
    });
  });
}

void test('saving a file in the repository makes a running subscriber refresh, with no request', async () => {
  await using account = await startInstance('accountservice', 6767);
  assert.deepEqual(account.live.current.vip_account_ids, ['10000']);
  const change = nextChange(account.live);

  repo.write(
    'accountservice.yml',
    'server_name: Accountservice\nserver_port: 6767\nvip_account_ids:\n  - "10000"\n  - "10001"\n',
  );

  const { next, changed } = await withTimeout(change, 15_000, 'no refresh after saving the file');
  assert.deepEqual(changed, ['vip_account_ids']);
  assert.deepEqual(next.vip_account_ids, ['10000', '10001']);
  await server.waitForLog((line) => line.msg === 'configuration repository changed: refresh published');
});

void test('a vipservice:** event leaves an accountservice:6767 subscriber alone; a ** event refreshes both', async () => {
  await using tap = await tapBus(server.bus);
  await using account = await startInstance('accountservice', 6767);
  await using vip = await startInstance('vipservice', 6868);
  const publishedId = async (path: string): Promise<string> => {
    assert.equal((await fetch(`${server.url}${path}`, { method: 'POST' })).status, 204);
    return (JSON.parse((await tap.next()).content.toString()) as SpringEvent).id;
  };

  const forVip = await publishedId('/actuator/busrefresh/vipservice');
  const forAll = await publishedId('/actuator/busrefresh');

  // Each subscriber handles its queue in order: once ** is applied, the vipservice event was handled too.
  await account.handled(forAll, 'applied');
  await vip.handled(forAll, 'applied');
  await account.handled(forVip, 'ignored');
  await vip.handled(forVip, 'applied');
  const applied = (entries: readonly LogLine[]) =>
    entries.filter((e) => e.msg.startsWith('bus refresh applied')).length;
  assert.equal(applied(account.logger.lines), 1);
  assert.equal(applied(vip.logger.lines), 2);
});

void test('configserver_bus_events_published_total counts each published event by its trigger', async () => {
  // A configserver and repository of this test's own: its file-watch event must not reach another test's tap.
  using ownRepo = tempConfigRepo();
  await using own = await startConfigServer({ repoDir: ownRepo.dir });
  await using tap = await tapBus(own.bus);
  const count = (trigger: string): Promise<number> =>
    metricValue(own.url, 'configserver_bus_events_published_total', `trigger="${trigger}"`);
  const post = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${own.url}${path}`, { method: 'POST', signal: AbortSignal.timeout(10_000), ...init });

  assert.deepEqual([await count('busrefresh'), await count('monitor'), await count('watch')], [0, 0, 0]);
  assert.equal((await post('/actuator/busrefresh/vipservice')).status, 204);
  await tap.next();
  const monitor = await post('/monitor', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'path=accountservice',
  });
  assert.equal(monitor.status, 200);
  await tap.next();
  // A refused request publishes nothing and counts nothing.
  assert.equal((await post(`/actuator/busrefresh/${encodeURIComponent('a b')}`)).status, 400);
  assert.deepEqual([await count('busrefresh'), await count('monitor')], [1, 1]);

  ownRepo.write('vipservice.yml', 'server_name: Vipservice\nlog_level: debug\n');
  await tap.next(15_000);
  await own.waitForLog((line) => line.msg === 'configuration repository changed: refresh published');
  // An editor's save may reach the watcher as more than one change; each published event is counted.
  assert.ok((await count('watch')) >= 1, 'the save was counted under trigger="watch"');
  assert.deepEqual([await count('busrefresh'), await count('monitor')], [1, 1]);
});
