import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfigRepository, createTextEncryptor, isConfigError } from '@goblog/config';
import { tempConfigRepo } from '@goblog/testkit';

const FILES = {
  'application.yml': 'config_event_bus: springCloudBus\nlog_level: info\n',
  'application-dev.yml': 'log_level: debug\n',
  'accountservice.yml': 'server_name: Accountservice\nserver_port: 6767\nvip_account_ids:\n  - "10000"\n',
  'accountservice-dev.yml': 'amqp_server_url: amqp://guest:guest@127.0.0.1:5672/\n',
  'accountservice-test.yml': 'amqp_server_url: amqp://guest:guest@rabbitmq:5672/\nnested:\n  a: 1\n',
};

void test('property sources come most specific first, flattened with YAML types', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const env = await createConfigRepository({ dir: repo.dir }).findOne('accountservice', 'dev');
  assert.equal(env.name, 'accountservice');
  assert.deepEqual(env.profiles, ['dev']);
  assert.equal(env.label, null);
  assert.deepEqual(
    env.propertySources.map((s) => s.name.split('/').pop()),
    ['accountservice-dev.yml', 'application-dev.yml', 'accountservice.yml', 'application.yml'],
  );
  assert.deepEqual(env.propertySources[2]?.source, {
    server_name: 'Accountservice',
    server_port: 6767,
    'vip_account_ids[0]': '10000',
  });
});

void test('with several profiles the last one wins', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const env = await createConfigRepository({ dir: repo.dir }).findOne('accountservice', 'dev,test');
  assert.deepEqual(
    env.propertySources.map((s) => s.name.split('/').pop()),
    [
      'accountservice-test.yml',
      'accountservice-dev.yml',
      'application-dev.yml',
      'accountservice.yml',
      'application.yml',
    ],
  );
  assert.equal(env.propertySources[0]?.source['nested.a'], 1);
});

void test('an unknown application gets the shared sources only', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const env = await createConfigRepository({ dir: repo.dir }).findOne('nosuchapp', 'prod');
  assert.deepEqual(
    env.propertySources.map((s) => s.name.split('/').pop()),
    ['application.yml'],
  );
});

void test('names that could leave the folder are refused before any file is touched', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const repository = createConfigRepository({ dir: repo.dir });
  for (const [app, profile, label] of [
    ['..', 'dev', null],
    ['../etc/passwd', 'dev', null],
    ['/etc/passwd', 'dev', null],
    ['accountservice', '../../x', null],
    ['accountservice', 'dev', '..'],
    ['accountservice', 'dev', '..(_)..'],
    ['accountservice', 'dev', '-c'],
    ['.hidden', 'dev', null],
  ] as const) {
    await assert.rejects(repository.findOne(app, profile, label), (err) => isConfigError(err, 'UNSAFE_NAME'));
  }
});

void test('in a git checkout a label selects a branch or tag; an unknown label is LABEL_NOT_FOUND', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false, git: true });
  repo.git('tag', 'P9');
  repo.git('checkout', '-q', '-b', 'feature/x');
  repo.write('accountservice.yml', 'server_name: Feature\nserver_port: 7000\n');
  repo.git('commit', '-q', '-am', 'feature');
  repo.git('checkout', '-q', 'main');
  repo.write('accountservice.yml', 'server_name: Unsaved\nserver_port: 1\n');
  const repository = createConfigRepository({ dir: repo.dir });

  const p9 = await repository.findOne('accountservice', 'dev', 'P9');
  assert.equal(p9.label, 'P9');
  assert.match(p9.version ?? '', /^[0-9a-f]{40}$/);
  assert.equal(
    p9.propertySources.find((s) => s.name.endsWith(':accountservice.yml'))?.source.server_name,
    'Accountservice',
  );

  const feature = await repository.findOne('accountservice', 'dev', 'feature(_)x');
  assert.equal(
    feature.propertySources.find((s) => s.name.endsWith(':accountservice.yml'))?.source.server_name,
    'Feature',
  );

  const working = await repository.findOne('accountservice', 'dev');
  assert.equal(
    working.propertySources.find((s) => s.name.endsWith('/accountservice.yml'))?.source.server_name,
    'Unsaved',
  );

  await assert.rejects(repository.findOne('accountservice', 'dev', 'nosuchbranch'), (err) =>
    isConfigError(err, 'LABEL_NOT_FOUND'),
  );
});

void test('outside git a label is recorded; only the default labels or a sub-folder exist', async () => {
  using repo = tempConfigRepo({ files: FILES, copy: false });
  const repository = createConfigRepository({ dir: repo.dir });
  assert.equal((await repository.findOne('accountservice', 'dev', 'main')).label, 'main');
  await assert.rejects(repository.findOne('accountservice', 'dev', 'P9'), (err) =>
    isConfigError(err, 'LABEL_NOT_FOUND'),
  );
});

void test('{cipher} values are served decrypted, or as invalid.<key> without the key', async () => {
  const encryptor = createTextEncryptor('repo-key');
  using repo = tempConfigRepo({
    copy: false,
    files: { 'app.yml': `db:\n  password: '{cipher}${encryptor.encrypt('hunter2')}'\n` },
  });
  const withKey = await createConfigRepository({ dir: repo.dir, encryptor }).findOne('app', 'dev');
  assert.deepEqual(withKey.propertySources[0]?.source, { 'db.password': 'hunter2' });
  const withoutKey = await createConfigRepository({ dir: repo.dir }).findOne('app', 'dev');
  assert.deepEqual(withoutKey.propertySources[0]?.source, { 'invalid.db.password': '<n/a>' });
});

void test('profile documents inside one YAML file apply only to their profile', async () => {
  using repo = tempConfigRepo({
    copy: false,
    files: {
      'app.yml':
        'a: base\nb: base\n---\nspring:\n  config:\n    activate:\n      on-profile: dev\na: dev\n---\nspring.profiles: prod\nb: prod\n',
    },
  });
  const env = await createConfigRepository({ dir: repo.dir }).findOne('app', 'dev');
  const source = env.propertySources[0]?.source ?? {};
  assert.equal(source.a, 'dev');
  assert.equal(source.b, 'base');
});
