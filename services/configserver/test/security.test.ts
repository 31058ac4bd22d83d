import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { startConfigServer, type ConfigServerProcess } from './helpers.js';
import { basic, rawRequest } from './http.js';

const USER = 'configuser';
const PASSWORD = 'n0t-so-s3cret';
let repo: TempRepo;
let server: ConfigServerProcess;
let outside: string;

before(async () => {
  repo = tempConfigRepo();
  // A file right next to the repository that no request may ever reach.
  outside = join(dirname(repo.dir), `outside-${Date.now()}`);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret-dev.yml'), 'stolen: TOP-SECRET-CONTENT\n');
  writeFileSync(join(outside, 'application.yml'), 'stolen: TOP-SECRET-CONTENT\n');
  server = await startConfigServer({
    repoDir: repo.dir,
    env: { CONFIG_SERVER_USER: USER, CONFIG_SERVER_PASSWORD: PASSWORD },
  });
});

after(async () => {
  await server[Symbol.asyncDispose]();
  repo[Symbol.dispose]();
  rmSync(outside, { recursive: true, force: true });
});

const auth = { authorization: basic(USER, PASSWORD) };

void test('names that could leave the repository are answered 400 (or 404), never with a file', async () => {
  const name = outside.split('/').pop() ?? '';
  const attempts = [
    `/../${name}/secret-dev.yml`,
    `/..%2f${name}%2fsecret-dev.yml`,
    `/%2e%2e/${name}`,
    `/%2E%2E%2F${name}/dev`,
    `/accountservice/..`,
    `/accountservice/dev/..`,
    `/accountservice/dev/%2e%2e`,
    `/..%2F..%2F..%2Fetc%2Fpasswd/dev`,
    `/accountservice%2f..%2f..%2f${name}/dev`,
    `//etc/passwd`,
    `//etc/passwd/dev`,
    `/%2Fetc%2Fpasswd/dev`,
    `/%2fetc%2fpasswd-dev.yml`,
    `/accountservice/dev/%2Ftmp`,
    `/${encodeURIComponent(outside)}/dev`,
    `/..%5c..%5cetc/dev`,
    `/accountservice/dev/..%5c..%5c`,
    `/%252e%252e/dev`,
    `/accountservice/%00/dev`,
    `/../../../../etc/passwd`,
    `/../${name}-dev.yml`,
    `/..(_)../accountservice-dev.yml`,
  ];
  for (const path of attempts) {
    const res = await rawRequest(server.url, path, { headers: auth });
    assert.ok(res.status === 400 || res.status === 404, `${path} -> ${res.status} ${res.body}`);
    assert.doesNotMatch(res.body, /TOP-SECRET|root:/, path);
    assert.match(String(res.headers['content-type']), /application\/json/, path);
    assert.equal(typeof (JSON.parse(res.body) as { error?: unknown }).error, 'string', path);
  }
  const dotdot = await rawRequest(server.url, '/%2e%2e/dev', { headers: auth });
  assert.equal(dotdot.status, 400);
});

void test('with CONFIG_SERVER_USER/PASSWORD every endpoint but /health needs basic auth', async () => {
  for (const [method, path] of [
    ['GET', '/accountservice/dev'],
    ['GET', '/accountservice-dev.yml'],
    ['GET', '/metrics'],
    ['GET', '/encrypt/status'],
    ['POST', '/encrypt'],
    ['POST', '/actuator/busrefresh'],
    ['POST', '/monitor'],
  ] as const) {
    const none = await rawRequest(server.url, path, { method });
    assert.equal(none.status, 401, `${method} ${path} without credentials`);
    assert.match(String(none.headers['www-authenticate']), /^Basic /);
    const wrong = await rawRequest(server.url, path, {
      method,
      headers: { authorization: basic(USER, 'guess') },
    });
    assert.equal(wrong.status, 401, `${method} ${path} with a wrong password`);
    const wrongUser = await rawRequest(server.url, path, {
      method,
      headers: { authorization: basic('admin', PASSWORD) },
    });
    assert.equal(wrongUser.status, 401, `${method} ${path} with a wrong user`);
  }
  const health = await rawRequest(server.url, '/health');
  assert.equal(health.status, 200);
  assert.equal((JSON.parse(health.body) as { status: string }).status, 'UP');

  const ok = await rawRequest(server.url, '/accountservice/dev', { headers: auth });
  assert.equal(ok.status, 200);
  const metrics = await rawRequest(server.url, '/metrics', { headers: auth });
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /process_cpu_user_seconds_total/);
});
