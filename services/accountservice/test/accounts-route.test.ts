import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from './support/fixtures.js';
import type { TestApp } from './support/fixtures.js';

void describe('GET /accounts/{id}', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({ vipIds: [], servedBy: '10.0.0.7:6767' });
  });
  after(async () => {
    await t.close();
  });

  void it('answers 200 with the account and this instance as servedBy', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/accounts/10042' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.body, '{"id":"10042","name":"Person_42","servedBy":"10.0.0.7:6767"}');
  });

  void it('answers every seeded account', async () => {
    for (const [id, name] of [
      ['10000', 'Person_0'],
      ['10099', 'Person_99'],
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/accounts/${id}` });
      assert.deepEqual(res.json(), { id, name, servedBy: '10.0.0.7:6767' });
    }
  });

  void it('answers 404 with an error for an unknown id', async () => {
    for (const id of ['10100', '9999', '0', '99999999999999999999']) {
      const res = await t.app.inject({ method: 'GET', url: `/accounts/${id}` });
      assert.equal(res.statusCode, 404, id);
      assert.equal(typeof res.json<{ error: unknown }>().error, 'string');
    }
  });

  void it('answers 400 with an error for a malformed id', async () => {
    for (const id of [
      'abc',
      '10000a',
      '-1',
      '1.5',
      '%20',
      "1'%20OR%201=1",
      '1'.repeat(21),
      '9'.repeat(500),
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/accounts/${id}` });
      assert.equal(res.statusCode, 400, id);
      assert.equal(typeof res.json<{ error: unknown }>().error, 'string');
    }
  });

  void it('never answers a 5xx for an absurdly long id', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/accounts/${'x'.repeat(5000)}` });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, String(res.statusCode));
    assert.equal(typeof res.json<{ error: unknown }>().error, 'string');
  });

  void it('answers 405 for another method', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await t.app.inject({ method, url: '/accounts/10000' });
      assert.equal(res.statusCode, 405, method);
      assert.match(String(res.headers.allow), /GET/);
      assert.equal(typeof res.json<{ error: unknown }>().error, 'string');
    }
  });

  void it('answers 404 for an unknown path', async () => {
    for (const url of ['/account/10000', '/accounts', '/', '/accounts/10000/extra']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(typeof res.json<{ error: unknown }>().error, 'string');
    }
  });

  void it('answers 503, not a crash, once the store is closed', async () => {
    const own = await testApp();
    await own.store.close();
    const res = await own.app.inject({ method: 'GET', url: '/accounts/10001' });
    assert.equal(res.statusCode, 503);
    const health = await own.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    assert.equal(health.json<{ status: string }>().status, 'DOWN');
    await own.close();
  });
});
