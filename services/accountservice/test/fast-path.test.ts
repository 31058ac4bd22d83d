// GET /accounts/{id} is answered on node:http ahead of Fastify (the runtime's fast path) for a well-formed id
// of an existing account: over real HTTP it must answer exactly as the Fastify route does, and leave every
// other request to that route.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Health, createMetrics } from '@goblog/runtime';
import { AccountStore, StoreClosedError, VipPolicy, buildApp, seedAccounts } from '../src/index.js';
import type { NotificationOutbox } from '../src/index.js';
import { capturePinoLogger, tempDataDir, testApp } from './support/fixtures.js';
import type { TestApp } from './support/fixtures.js';

async function listen(app: TestApp['app']): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
}

void describe('the GET /accounts/{id} fast path', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await testApp({ vipIds: ['10000'], servedBy: '10.0.0.7:6767' });
    base = await listen(t.app);
  });
  after(async () => {
    await t.close();
  });

  void it('answers a well-formed read without Fastify, everything else with it', async () => {
    const own = await appOver({ record: () => Promise.resolve() });
    try {
      let seenByFastify = 0;
      own.app.addHook('onRequest', (_request, _reply, done) => {
        seenByFastify++;
        done();
      });
      const url = await listen(own.app);
      assert.equal((await fetch(`${url}/accounts/10042`)).status, 200);
      assert.equal((await fetch(`${url}/accounts/10000`)).status, 200);
      assert.equal(seenByFastify, 0);
      assert.equal((await fetch(`${url}/accounts/abc`)).status, 400);
      assert.equal(seenByFastify, 1);
    } finally {
      await own.close();
    }
  });

  void it('answers a read with the same status, headers and body as the Fastify route', async () => {
    const viaFastify = await t.app.inject({ method: 'GET', url: '/accounts/10042' });
    const res = await fetch(`${base}/accounts/10042`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), viaFastify.headers['content-type']);
    assert.equal(res.headers.get('content-length'), String(viaFastify.headers['content-length']));
    assert.equal(await res.text(), viaFastify.body);
    assert.equal(viaFastify.body, '{"id":"10042","name":"Person_42","servedBy":"10.0.0.7:6767"}');
  });

  void it('leaves bad ids, unknown ids, other methods and query strings to the Fastify route', async () => {
    const cases: [string, string, number][] = [
      ['GET', '/accounts/abc', 400],
      ['GET', `/accounts/${'9'.repeat(500)}`, 400],
      ['GET', '/accounts/10100', 404],
      ['GET', '/accounts/10042/', 404],
      ['POST', '/accounts/10042', 405],
      ['DELETE', '/accounts/10042', 405],
      ['GET', '/accounts/10042?verbose=1', 200],
      ['HEAD', '/accounts/10042', 200],
    ];
    for (const [method, url, status] of cases) {
      const res = await fetch(`${base}${url}`, { method });
      const viaFastify = await t.app.inject({ method: method as 'GET', url });
      assert.equal(res.status, status, `${method} ${url}`);
      assert.equal(await res.text(), viaFastify.body, `${method} ${url}`);
    }
  });

  void it('records a VIP notification before the 200 is sent', async () => {
    const depth = t.store.outbox.depth;
    const res = await fetch(`${base}/accounts/10000`);
    assert.equal(res.status, 200);
    assert.equal(t.store.outbox.depth, depth + 1);
    const [entry] = (await t.store.outbox.peek(1000)).slice(-1);
    assert.equal(entry?.body.accountId, '10000');
  });

  void it('counts its requests in http_request_duration_seconds like any route', async () => {
    const count = async (): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('http_request_duration_seconds_count{') &&
            l.includes('method="GET",route="/accounts/:id",status="200"'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await count();
    for (let i = 0; i < 5; i++) await (await fetch(`${base}/accounts/10001`)).text();
    assert.equal(await count(), before + 5);
  });
});

void describe('the fast path when recording fails', () => {
  void it('answers through the one error mapping (503 with a JSON error), never a 200', async () => {
    const own = await appOver({ record: () => Promise.reject(new StoreClosedError()) });
    try {
      const base = await listen(own.app);
      const res = await fetch(`${base}/accounts/10000`);
      assert.equal(res.status, 503);
      assert.match(String(res.headers.get('content-type')), /^application\/json/);
      assert.deepEqual(await res.json(), { error: 'the account store is closed' });
      const viaFastify = await own.app.inject({ method: 'GET', url: '/accounts/10000' });
      assert.equal(viaFastify.statusCode, 503);
      assert.deepEqual(viaFastify.json(), { error: 'the account store is closed' });
    } finally {
      await own.close();
    }
  });
});

/** The app over a seeded store with the given outbox, not yet ready (hooks can still be added). */
async function appOver(
  outbox: NotificationOutbox,
): Promise<{ app: TestApp['app']; close: () => Promise<void> }> {
  const { dir, cleanup } = tempDataDir();
  const store = AccountStore.open({ dataDir: dir });
  await store.accounts.seed(seedAccounts());
  const app = buildApp({
    logger: capturePinoLogger().logger,
    metrics: createMetrics('accountservice'),
    health: new Health(),
    accounts: store.accounts,
    vip: new VipPolicy(['10000']),
    outbox,
    servedBy: '10.0.0.7:6767',
  });
  return {
    app,
    async close() {
      await app.close();
      await store.close();
      cleanup();
    },
  };
}
