import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { startConfigServer, type ConfigServerProcess } from './helpers.js';

let repo: TempRepo;
let server: ConfigServerProcess;

before(async () => {
  // A copy of config-repo/ plus a profile-specific shared file, as a git repository (labels = branches/tags).
  repo = tempConfigRepo({ git: true, files: { 'application-dev.yml': 'log_level: debug\n' } });
  repo.git('tag', 'P9');
  server = await startConfigServer({ repoDir: repo.dir });
});

after(async () => {
  await server[Symbol.asyncDispose]();
  repo[Symbol.dispose]();
});

interface EnvironmentJson {
  name: string;
  profiles: string[];
  label: string | null;
  version: string | null;
  state: string | null;
  propertySources: { name: string; source: Record<string, unknown> }[];
}

async function getEnvironment(path: string): Promise<EnvironmentJson> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200, path);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as EnvironmentJson;
}

const fileNames = (env: EnvironmentJson): string[] =>
  env.propertySources.map((s) => s.name.split(/[/:]/).pop() ?? '');

void test('GET /{app}/{profile} answers Spring’s Environment JSON, most specific source first', async () => {
  const env = await getEnvironment('/accountservice/dev');
  assert.deepEqual(Object.keys(env), ['name', 'profiles', 'label', 'version', 'state', 'propertySources']);
  assert.equal(env.name, 'accountservice');
  assert.deepEqual(env.profiles, ['dev']);
  assert.equal(env.label, null);
  assert.match(env.version ?? '', /^[0-9a-f]{40}$/);
  assert.deepEqual(fileNames(env), [
    'accountservice-dev.yml',
    'application-dev.yml',
    'accountservice.yml',
    'application.yml',
  ]);
  assert.deepEqual(env.propertySources[0]?.source, { amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/' });
  assert.deepEqual(env.propertySources[2]?.source, {
    server_name: 'Accountservice',
    server_port: 6767,
    'vip_account_ids[0]': '10000',
  });
});

void test('vipservice under the test profile; several profiles: the last wins', async () => {
  const vip = await getEnvironment('/vipservice/test');
  assert.deepEqual(fileNames(vip), ['vipservice-test.yml', 'vipservice.yml', 'application.yml']);
  const both = await getEnvironment('/accountservice/dev,test');
  assert.deepEqual(both.profiles, ['dev', 'test']);
  assert.deepEqual(fileNames(both), [
    'accountservice-test.yml',
    'accountservice-dev.yml',
    'application-dev.yml',
    'accountservice.yml',
    'application.yml',
  ]);
});

void test('an unknown application gets the shared sources only', async () => {
  const env = await getEnvironment('/nosuchapp/prod');
  assert.deepEqual(fileNames(env), ['application.yml']);
});

void test('a label selects a branch or tag; an unknown label is 404', async () => {
  // The branch is made in a worktree of its own: the shared repository's checkout (main) and files, which
  // the other tests read, are never touched, whatever the order the tests run in.
  const worktree = mkdtempSync(join(tmpdir(), 'goblog-config-branch-'));
  try {
    repo.git('worktree', 'add', '-q', '-b', 'feature/more-vips', worktree);
    writeFileSync(
      join(worktree, 'accountservice.yml'),
      'server_name: Accountservice\nserver_port: 6767\nvip_account_ids: ["10000", "10001"]\n',
    );
    repo.git('-C', worktree, 'commit', '-q', '-am', 'more vips');
  } finally {
    repo.git('worktree', 'remove', '--force', worktree);
    rmSync(worktree, { recursive: true, force: true });
  }

  const feature = await getEnvironment('/accountservice/dev/feature(_)more-vips');
  assert.equal(feature.label, 'feature(_)more-vips');
  assert.equal(
    feature.propertySources.find((s) => s.name.endsWith('accountservice.yml'))?.source['vip_account_ids[1]'],
    '10001',
  );
  const tagged = await getEnvironment('/accountservice/dev/P9');
  assert.equal(
    tagged.propertySources.find((s) => s.name.endsWith('accountservice.yml'))?.source['vip_account_ids[1]'],
    undefined,
  );

  const missing = await fetch(`${server.url}/accountservice/dev/nosuchlabel`);
  assert.equal(missing.status, 404);
  assert.ok(typeof ((await missing.json()) as { error?: unknown }).error === 'string');
});

void test('/{app}-{profile}.yml, .yaml, .json and .properties serve the merged view', async () => {
  for (const ext of ['yml', 'yaml']) {
    const res = await fetch(`${server.url}/accountservice-dev.${ext}`);
    assert.equal(res.status, 200);
    assert.deepEqual(parse(await res.text()), {
      amqp_server_url: 'amqp://guest:guest@127.0.0.1:5672/',
      log_level: 'debug',
      server_name: 'Accountservice',
      server_port: 6767,
      vip_account_ids: ['10000'],
      config_event_bus: 'springCloudBus',
    });
  }
  const json = await fetch(`${server.url}/accountservice-dev.json`);
  assert.match(json.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(((await json.json()) as { vip_account_ids: unknown }).vip_account_ids, ['10000']);

  const properties = await fetch(`${server.url}/accountservice-dev.properties`);
  assert.equal(
    await properties.text(),
    [
      'amqp_server_url: amqp://guest:guest@127.0.0.1:5672/',
      'config_event_bus: springCloudBus',
      'log_level: debug',
      'server_name: Accountservice',
      'server_port: 6767',
      'vip_account_ids[0]: 10000',
    ].join('\n'),
  );
});

void test('/{label}/{app}-{profile}.yml reads the labelled version', async () => {
  const res = await fetch(`${server.url}/P9/vipservice-test.yml`);
  assert.equal(res.status, 200);
  assert.equal((parse(await res.text()) as { server_port: number }).server_port, 6868);
  assert.equal((await fetch(`${server.url}/nosuchlabel/vipservice-test.yml`)).status, 404);
});

void test('/metrics labels config reads by URL form, not by application', async () => {
  assert.equal((await fetch(`${server.url}/vipservice/dev`)).status, 200);
  assert.equal((await fetch(`${server.url}/P9/vipservice-dev.yml`)).status, 200);
  const body = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(
    body,
    /http_request_duration_seconds_count\{[^}]*route="\/\{application\}\/\{profiles\}",status="200"\}/,
  );
  assert.match(
    body,
    /http_request_duration_seconds_count\{[^}]*route="\/\{label\}\/\{application\}-\{profiles\}\.yml",status="200"\}/,
  );
  assert.doesNotMatch(body, /route="[^"]*vipservice/);
});
