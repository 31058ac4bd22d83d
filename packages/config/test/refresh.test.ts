import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import amqplib from 'amqplib';
import { Type } from 'typebox';
import { connectAmqp, type Publisher, type Transport } from '@goblog/messaging';
import {
  BaseConfigSchema,
  busEventType,
  loadConfig,
  refreshEvent,
  subscribeToRefresh,
  type BusEvent,
} from '@goblog/config';
import { BROKER_URL, captureLogger, tempConfigRepo, withTimeout } from '@goblog/testkit';
import type { LogLine } from '@goblog/testkit';

// Against the real broker, on a bus exchange of this test's own (deleted afterwards).
const BUS = `springCloudBus.test.${randomBytes(4).toString('hex')}`;
const Schema = Type.Intersect([
  BaseConfigSchema,
  Type.Object({ vip_account_ids: Type.Array(Type.String()) }),
]);
const FILES = {
  'application.yml': 'log_level: info\n',
  'accountservice.yml': 'server_name: Accountservice\nserver_port: 6767\nvip_account_ids: ["10000"]\n',
  'vipservice.yml': 'server_name: Vipservice\nserver_port: 6868\nvip_account_ids: []\n',
  'accountservice-dev.yml': 'amqp_server_url: amqp://guest:guest@127.0.0.1:5672/\n',
  'vipservice-dev.yml': 'amqp_server_url: amqp://guest:guest@127.0.0.1:5672/\n',
};

let transport: Transport;
let publisher: Publisher;

before(async () => {
  transport = await connectAmqp({ url: BROKER_URL, connectionName: `config-refresh-test:${BUS}` });
  publisher = transport.createPublisher();
});

after(async () => {
  await publisher.close();
  await transport.close();
  const connection = await amqplib.connect(BROKER_URL);
  await (await connection.createChannel()).deleteExchange(BUS);
  await connection.close();
});

async function startInstance(application: string, port: number, repoDir: string) {
  const logger = captureLogger();
  const live = await loadConfig({
    schema: Schema,
    defaults: {},
    source: { application, profile: 'dev', repoDir },
    env: {},
    logger,
  });
  const instanceId = `${application}:${port}`;
  const subscription = await subscribeToRefresh({
    transport,
    live,
    application,
    instanceId,
    bus: BUS,
    logger,
  });
  const handled = (event: BusEvent, how: 'applied' | 'ignored' | 'rejected') =>
    logger.waitFor((e: LogLine) => e.obj.eventId === event.id && e.msg.includes(how));
  return { live, logger, subscription, handled, [Symbol.asyncDispose]: () => subscription.close() };
}

function publish(event: BusEvent): Promise<BusEvent> {
  return publisher.publish(busEventType(BUS), event).then(() => event);
}

void test('a refresh event for accountservice:** reloads the accountservice and reports what changed', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  await using account = await startInstance('accountservice', 6767, repo.dir);
  assert.deepEqual(account.live.current.vip_account_ids, ['10000']);
  const changed = new Promise<readonly string[]>((resolve) => {
    account.live.onChange((_next, _previous, keys) => {
      resolve(keys);
    });
  });

  repo.write(
    'accountservice.yml',
    'server_name: Accountservice\nserver_port: 6767\nvip_account_ids: ["10000", "10001"]\n',
  );
  await publish(refreshEvent('configserver:8888', 'accountservice:**'));

  assert.deepEqual(await withTimeout(changed, 15_000, 'the refresh event changed nothing'), [
    'vip_account_ids',
  ]);
  assert.deepEqual(account.live.current.vip_account_ids, ['10000', '10001']);
});

void test('a vipservice:** event leaves accountservice:6767 alone; a ** event refreshes both', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  await using account = await startInstance('accountservice', 6767, repo.dir);
  await using vip = await startInstance('vipservice', 6868, repo.dir);

  const forVip = await publish(refreshEvent('configserver:8888', 'vipservice:**'));
  const forAll = await publish(refreshEvent('configserver:8888', '**'));

  // Each instance handles its queue in order, so once ** is applied the earlier event has been handled too.
  await account.handled(forAll, 'applied');
  await vip.handled(forAll, 'applied');
  await account.handled(forVip, 'ignored');
  await vip.handled(forVip, 'applied');
  const applied = (entries: readonly LogLine[]) =>
    entries.filter((e) => e.msg.startsWith('bus refresh applied')).length;
  assert.equal(applied(account.logger.lines), 1);
  assert.equal(applied(vip.logger.lines), 2);
});

void test('other event types and this instance’s own events are ignored', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  await using account = await startInstance('accountservice', 6767, repo.dir);
  const ack = await publish({ ...refreshEvent('vipservice:6868', '**'), type: 'AckRemoteApplicationEvent' });
  const own = await publish(refreshEvent('accountservice:6767', '**'));
  const marker = await publish(refreshEvent('configserver:8888', 'accountservice:6767'));
  await account.handled(marker, 'applied');
  await account.handled(ack, 'ignored');
  assert.equal(account.logger.lines.filter((e) => e.obj.eventId === own.id).length, 0);
  assert.equal(account.logger.lines.filter((e) => e.msg.startsWith('bus refresh applied')).length, 1);
});

void test('an invalid refreshed configuration is rejected with one log line and the old one stays', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  await using account = await startInstance('accountservice', 6767, repo.dir);
  const before = account.live.current;
  repo.write('accountservice-dev.yml', 'amqp_server_url: http://guest:Sup3rS3cret@elsewhere/\n');
  const event = await publish(refreshEvent('configserver:8888', '**'));
  const line = await account.handled(event, 'rejected');
  assert.equal(line.level, 'error');
  assert.match(line.msg, /amqp_server_url/);
  assert.doesNotMatch(line.msg, /Sup3rS3cret|\n/);
  assert.equal(account.live.current, before);
});
