// The landscape's JSON API against the real broker and real vipservice processes: discovery without
// configuration and DOWN within the contract's 15 s of a kill -9, the shapes of /api/landscape and of the
// dead-letter listing (which consumes nothing), discard, and basic auth on every mutating call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queueDepth } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';
import { landscapeFixture } from './support/fixture.ts';
import { statusOf } from './support/landscape.ts';
import type { RunningLandscape } from './support/landscape.ts';
import { parkNotification } from './support/park.ts';

const USER = 'operator';
const PASSWORD = 'landscape-test-pw';
const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };

describe('the landscape API', () => {
  const fixture = landscapeFixture('landscape.api');
  const { queue } = fixture;
  let page: RunningLandscape;
  const vipservices: RunningService[] = [];

  before(async () => {
    page = await fixture.landscape({ env: { LANDSCAPE_USER: USER, LANDSCAPE_PASSWORD: PASSWORD } });
    vipservices.push(...(await Promise.all([fixture.service('vipservice'), fixture.service('vipservice')])));
  });

  after(() => fixture.cleanup());

  it('finds every instance by its announcements, without configuration, and shows each UP', async () => {
    const ids = vipservices.map((s) => `vipservice:${s.port}`);
    const s = await page.waitFor((x) => ids.every((i) => statusOf(x, i) === 'UP'), 'both vipservices UP');
    const service = s.services.find((x) => x.name === 'vipservice');
    assert.ok(service, 'a vipservice entry');
    assert.deepEqual(service.instances.map((i) => i.id).sort(), [...ids].sort());
    for (const instance of service.instances) {
      assert.equal(instance.reason, null);
      assert.match(instance.address, /:\d+$/);
      assert.equal(typeof instance.pid, 'number');
      assert.ok(!Number.isNaN(Date.parse(instance.since)), 'since is a time');
      assert.equal(instance.checks.consumer?.ok, true, 'its checks, from its /health');
      assert.equal(instance.figures.notificationsCounted, 0, 'its key figures, from its /metrics');
      assert.equal(instance.figures.duplicatesAbsorbed, 0);
    }
  });

  it('shows the work queue, its delay queue and its dead-letter queue with depth and consumers', async () => {
    const s = await page.waitFor(
      (x) => x.queues.some((q) => q.name === queue && q.consumers === 2),
      'vip queue with two consumers',
    );
    assert.deepEqual(
      s.queues.map((q) => [q.name, q.role]),
      [
        [queue, 'work'],
        [`${queue}.retry`, 'retry'],
        [`${queue}.dlq`, 'dead-letter'],
      ],
    );
    const work = s.queues[0];
    assert.ok(work);
    assert.equal(work.messages, 0);
    assert.equal(work.exists, true);
    assert.equal(s.broker.connected, true);
    assert.equal(typeof s.broker.management.available, 'boolean');
    assert.doesNotMatch(JSON.stringify(s), /guest:guest/, 'no password in the snapshot');
  });

  it('lists dead letters with their reason without consuming them, in the same order every time', async () => {
    const parked = [];
    for (const account of ['10011', '10012', '10013']) parked.push(await parkNotification(queue, account));
    const list = async (): Promise<{ total: number; messages: { key: string; reason: string }[] }> => {
      const response = await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/messages`);
      assert.equal(response.status, 200);
      return (await response.json()) as { total: number; messages: { key: string; reason: string }[] };
    };
    const first = await list();
    const second = await list();
    assert.equal(first.total, 3);
    assert.deepEqual(
      first.messages.map((m) => m.key),
      parked.map((p) => p.messageId),
    );
    assert.deepEqual(second.messages, first.messages, 'a listing changes nothing');
    const third = (await (await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/messages`)).json()) as {
      messages: { headers: Record<string, unknown> }[];
    };
    for (const m of third.messages) {
      assert.ok(
        !m.headers['x-delivery-count'],
        'no delivery counted for a look (a quorum queue counts requeues)',
      );
    }
    assert.equal(first.messages[0]?.reason, 'handler-failed');
    // Read as the landscape reads it (its looks are serialised): a raw depth may dip while a quorum queue's
    // messages are put back one by one.
    assert.equal((await list()).total, 3, 'still all in the queue');
    // The work queue's name is accepted for its dead-letter queue.
    const byWorkQueue = await fetch(`${page.baseUrl}/api/queues/${queue}/messages?limit=1`);
    const body = (await byWorkQueue.json()) as { total: number; messages: unknown[]; truncated: boolean };
    assert.deepEqual([body.total, body.messages.length, body.truncated], [3, 1, true]);
  });

  it('asks for credentials on every mutating call, and only there', async () => {
    const url = `${page.baseUrl}/api/queues/${queue}.dlq/discard`;
    const bodyOf = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' };
    const anonymous = await fetch(url, bodyOf);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="landscape"/);
    assert.deepEqual(await anonymous.json(), { error: 'authentication required' });
    const wrong = `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}`;
    const refused = await fetch(url, { ...bodyOf, headers: { ...bodyOf.headers, authorization: wrong } });
    assert.equal(refused.status, 401);
    await refused.arrayBuffer();
    const replay = await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/replay`, { method: 'POST' });
    assert.equal(replay.status, 401);
    await replay.arrayBuffer();
    const listed = (await (await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/messages`)).json()) as {
      total: number;
    };
    assert.equal(listed.total, 3, 'nothing changed without credentials');
    for (const path of ['/api/landscape', '/asyncapi.json', `/api/queues/${queue}.dlq/messages`, '/health']) {
      const response = await fetch(`${page.baseUrl}${path}`);
      assert.equal(response.status, 200, `GET ${path} needs no credentials`);
      await response.arrayBuffer();
    }
  });

  it('discards the selected dead letters and only those', async () => {
    const listing = (await (await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/messages`)).json()) as {
      messages: { key: string }[];
    };
    const [firstKey, ...rest] = listing.messages.map((m) => m.key);
    const response = await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/discard`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ keys: [firstKey] }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { discarded: 1 });
    const after = (await (await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/messages`)).json()) as {
      messages: { key: string }[];
    };
    assert.deepEqual(
      after.messages.map((m) => m.key),
      rest,
      'the others stay, in their order',
    );
    const all = await fetch(`${page.baseUrl}/api/queues/${queue}.dlq/discard`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"all":true}',
    });
    assert.deepEqual(await all.json(), { discarded: 2 });
    assert.equal(await queueDepth(`${queue}.dlq`), 0);
  });

  it('answers bad requests with a 4xx and a JSON error', async () => {
    const cases: [string, RequestInit, number][] = [
      ['/api/queues/vip_queue.unknown.dlq/messages', {}, 404],
      ['/api/queues/bad%20name/messages', {}, 400],
      [`/api/queues/${queue}.dlq/messages?limit=0`, {}, 400],
      [
        `/api/queues/${queue}.dlq/discard`,
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' },
        400,
      ],
      [
        `/api/queues/${queue}.dlq/replay`,
        { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"keys":' },
        400,
      ],
      [`/api/queues/${queue}.dlq/replay`, { method: 'GET' }, 405],
      ['/api/landscape', { method: 'DELETE', headers: auth }, 405],
    ];
    for (const [path, init, status] of cases) {
      const response = await fetch(`${page.baseUrl}${path}`, init);
      assert.equal(response.status, status, `${init.method ?? 'GET'} ${path}`);
      const body = (await response.json()) as { error?: unknown };
      assert.equal(typeof body.error, 'string', `${path}: a JSON error`);
    }
  });

  it('shows an instance DOWN, with why, within 15 s of a kill -9, and the other still UP', async () => {
    const [victim, survivor] = vipservices;
    assert.ok(victim && survivor);
    await victim.kill();
    const killedAt = Date.now();
    // The contract's bound is the wait's limit: failing it fails the test.
    const s = await page.waitFor(
      (x) => statusOf(x, `vipservice:${victim.port}`) === 'DOWN',
      'the killed one DOWN',
      15_000,
    );
    const instance = s.services.flatMap((x) => x.instances).find((i) => i.id === `vipservice:${victim.port}`);
    assert.match(instance?.reason ?? '', /no answer on \/health/);
    assert.equal(statusOf(s, `vipservice:${survivor.port}`), 'UP');
    assert.ok(Date.now() - killedAt <= 15_000);
  });

  it('shows a stopped instance DOWN at once: it says it is leaving', async () => {
    const survivor = vipservices[1];
    assert.ok(survivor);
    assert.equal(await survivor.stop(), 0);
    const s = await page.waitFor(
      (x) => statusOf(x, `vipservice:${survivor.port}`) === 'DOWN',
      'the stopped one DOWN',
      15_000,
    );
    const instance = s.services
      .flatMap((x) => x.instances)
      .find((i) => i.id === `vipservice:${survivor.port}`);
    assert.match(instance?.reason ?? '', /stopped|no answer/);
  });
});
