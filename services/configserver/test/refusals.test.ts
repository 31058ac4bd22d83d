// What the configserver refuses to pass on: destinations that are no plausible `app[:instance]` pattern,
// /monitor requests naming too many applications, and configuration keys that name prototype properties.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempConfigRepo, type TempRepo } from '@goblog/testkit';
import { startConfigServer, tapBus, type ConfigServerProcess } from './helpers.js';

const STARS = '*'.repeat(40);

let repo: TempRepo;
let server: ConfigServerProcess;

before(async () => {
  repo = tempConfigRepo({
    files: {
      'accountservice.yml':
        'server_name: Accountservice\nvip_account_ids:\n  - "10000"\n__proto__:\n  priority: secret-x\n',
    },
  });
  server = await startConfigServer({ repoDir: repo.dir });
});

after(async () => {
  await server[Symbol.asyncDispose]();
  repo[Symbol.dispose]();
});

async function post(path: string, init: RequestInit = {}): Promise<{ status: number; error?: unknown }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', ...init });
  const text = await response.text();
  return {
    status: response.status,
    error: text ? (JSON.parse(text) as { error?: unknown }).error : undefined,
  };
}

function form(body: string): RequestInit {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

void test('implausible destinations are answered 400 with a JSON error, and nothing reaches the bus', async () => {
  await using tap = await tapBus(server.bus);
  const refused = [
    `/actuator/busrefresh/${encodeURIComponent(`${STARS}Z`)}`,
    `/actuator/busrefresh?destination=${encodeURIComponent(`${STARS}Z`)}`,
    `/actuator/busrefresh?destination=a&destination=b`,
    `/actuator/busrefresh/${encodeURIComponent('a::b')}`,
    `/actuator/busrefresh/${encodeURIComponent('acc***')}`,
  ];
  for (const path of refused) {
    const answer = await post(path);
    assert.equal(answer.status, 400, path);
    assert.match(String(answer.error), /destination must look like accountservice/, path);
  }
  const monitor = await post('/monitor', form(`path=${encodeURIComponent(`${STARS}Z`)}`));
  assert.equal(monitor.status, 400);
  assert.match(String(monitor.error), /destination must look like accountservice/);

  // The first event on the bus is the one a legitimate request asks for afterwards.
  assert.equal((await post(`/actuator/busrefresh/${encodeURIComponent('account*:67?7')}`)).status, 204);
  const event = JSON.parse((await tap.next()).content.toString()) as { destinationService: string };
  assert.equal(event.destinationService, 'account*:67?7:**');
});

void test('a /monitor request naming too many applications is refused as a whole', async () => {
  await using tap = await tapBus(server.bus);
  const names = Array.from({ length: 200 }, (_, i) => `path=app${i}`).join('&');
  const many = await post('/monitor', form(names));
  assert.equal(many.status, 400);
  assert.match(String(many.error), /at most 64 applications/);
  const dashed = await post('/monitor', form(`path=${Array.from({ length: 80 }, () => 'a').join('-')}.yml`));
  assert.equal(dashed.status, 400);

  const webhook = await fetch(`${server.url}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ commits: [{ modified: ['config-repo/vipservice.yml'] }] }),
  });
  assert.deepEqual(await webhook.json(), ['vipservice:**']);
  const event = JSON.parse((await tap.next()).content.toString()) as { destinationService: string };
  assert.equal(event.destinationService, 'vipservice:**');
});

void test('__proto__ keys of the repository are served in no format; a read that meets them logs a warning naming them', async () => {
  const environment = (await (await fetch(`${server.url}/accountservice/default`)).json()) as {
    propertySources: { name: string; source: Record<string, unknown> }[];
  };
  const keys = environment.propertySources.flatMap((s) => Object.keys(s.source));
  assert.ok(keys.includes('vip_account_ids[0]'), keys.join(', '));
  assert.ok(!keys.some((k) => k.includes('__proto__')), keys.join(', '));
  for (const format of ['yml', 'json', 'properties']) {
    const body = await (await fetch(`${server.url}/accountservice-default.${format}`)).text();
    assert.ok(body.includes('10000'), body);
    assert.ok(!body.includes('__proto__') && !body.includes('secret-x'), body);
  }
  const warning = await server.waitForLog((line) =>
    String(line.msg).startsWith('configuration keys ignored, they name prototype properties'),
  );
  assert.match(String(warning.msg), /__proto__\.priority in accountservice\.yml/);
  assert.ok(!String(warning.msg).includes('secret-x'));
});
