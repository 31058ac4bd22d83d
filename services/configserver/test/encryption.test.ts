import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { startConfigServer, type ConfigServerProcess } from './helpers.js';

// From spring-cloud-commons EncryptionIntegrationTests: encrypt.key=pie, Spring's default salt deadbeef.
const SPRING_KEY = 'pie';
const SPRING_CIPHER = 'bf29452295df354e6153c5b31b03ef23c70e55fba24299aa85c63438f1c43c95';

let repo: TempRepo;
let server: ConfigServerProcess;

before(async () => {
  repo = tempConfigRepo({
    copy: false,
    files: {
      'application.yml': 'log_level: info\n',
      'secretive.yml': `db:\n  password: '{cipher}${SPRING_CIPHER}'\n  user: app\napi_key: '{cipher}00ff00ff'\n`,
    },
  });
  server = await startConfigServer({ repoDir: repo.dir, env: { ENCRYPT_KEY: SPRING_KEY } });
});

after(async () => {
  await server[Symbol.asyncDispose]();
  repo[Symbol.dispose]();
});

void test('{cipher} values made by Spring are served decrypted; broken ones as invalid.<key> = <n/a>', async () => {
  const res = await fetch(`${server.url}/secretive/dev`);
  const env = (await res.json()) as { propertySources: { source: Record<string, unknown> }[] };
  assert.deepEqual(env.propertySources[0]?.source, {
    'db.password': 'test',
    'db.user': 'app',
    'invalid.api_key': '<n/a>',
  });
});

void test('POST /encrypt and POST /decrypt round trip, text/plain and form bodies alike', async () => {
  assert.deepEqual(await (await fetch(`${server.url}/encrypt/status`)).json(), { status: 'OK' });
  const encrypted = await fetch(`${server.url}/encrypt`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'guest:guest',
  });
  assert.equal(encrypted.status, 200);
  assert.match(encrypted.headers.get('content-type') ?? '', /text\/plain/);
  const cipher = await encrypted.text();
  assert.match(cipher, /^[0-9a-f]{64}$/);

  // `curl -d <text>` posts a form body.
  const decrypted = await fetch(`${server.url}/decrypt`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: cipher,
  });
  assert.equal(await decrypted.text(), 'guest:guest');

  const spring = await fetch(`${server.url}/decrypt`, { method: 'POST', body: SPRING_CIPHER });
  assert.equal(await spring.text(), 'test');

  const form = await fetch(`${server.url}/encrypt`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'mysecret',
  });
  const back = await fetch(`${server.url}/decrypt`, { method: 'POST', body: `{cipher}${await form.text()}` });
  assert.equal(await back.text(), 'mysecret');
});

void test('text not encrypted with this key is a 400, and the key never shows', async () => {
  const res = await fetch(`${server.url}/decrypt`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'abcd',
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: string; status: string };
  assert.equal(body.status, 'INVALID');
  const logs = JSON.stringify(server.logs);
  assert.doesNotMatch(logs, /"pie"|guest:guest/);
});

void test('without ENCRYPT_KEY: /encrypt is 404 NO_KEY and {cipher} values are invalid', async () => {
  await using keyless = await startConfigServer({ repoDir: repo.dir });
  const status = await fetch(`${keyless.url}/encrypt/status`);
  assert.equal(status.status, 404);
  assert.equal(((await status.json()) as { status: string }).status, 'NO_KEY');
  assert.equal((await fetch(`${keyless.url}/encrypt`, { method: 'POST', body: 'x' })).status, 404);
  const env = (await (await fetch(`${keyless.url}/secretive/dev`)).json()) as {
    propertySources: { source: Record<string, unknown> }[];
  };
  assert.equal(env.propertySources[0]?.source['invalid.db.password'], '<n/a>');
});

void test('a JSON body nested too deeply to handle is a 400, not a 5xx', async () => {
  const bomb = '['.repeat(10_000) + ']'.repeat(10_000);
  for (const path of ['/encrypt', '/decrypt']) {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bomb,
    });
    assert.equal(res.status, 400, path);
  }
});
