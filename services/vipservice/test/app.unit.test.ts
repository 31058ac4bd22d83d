import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Health, createLogger, createMetrics } from '@goblog/runtime';
import { buildApp } from '../src/app.js';
import type { Offer } from '../src/domain/offer.js';

const OFFER: Offer = {
  accountId: '10000',
  offerId: '6f1c2a9e-3b7d-4c2e-9a55-0d1f2e3a4b5c',
  createdAt: '2024-06-01T12:00:00.000Z',
  notifications: 3,
  lastReadAt: '2017-02-15T20:06:27.033757223Z',
};

void describe('the vipservice HTTP API', () => {
  let app: FastifyInstance;
  let consuming = true;

  before(async () => {
    const logger = createLogger({
      service: 'vipservice',
      destination: new Writable({
        write: (_chunk, _enc, done) => {
          done();
        },
      }),
    });
    const health = new Health().register('consumer', () => ({ ok: consuming }));
    const offers = new Map([[OFFER.accountId, OFFER]]);
    app = buildApp({ logger, metrics: createMetrics('vipservice'), health, offers });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  void it('GET /offers/{accountId} answers 200 with the offer', async () => {
    const res = await app.inject({ method: 'GET', url: '/offers/10000' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), OFFER);
  });

  void it('answers 404 for an account without an offer, 400 for a malformed id, 405 for another method', async () => {
    const missing = await app.inject({ method: 'GET', url: '/offers/10001' });
    assert.equal(missing.statusCode, 404);
    assert.equal(typeof missing.json<{ error: string }>().error, 'string');
    for (const id of ['abc', '10000x', '-1', '1'.repeat(21), '%20']) {
      const res = await app.inject({ method: 'GET', url: `/offers/${id}` });
      assert.equal(res.statusCode, 400, id);
      assert.equal(typeof res.json<{ error: string }>().error, 'string');
    }
    const post = await app.inject({ method: 'POST', url: '/offers/10000' });
    assert.equal(post.statusCode, 405);
  });

  void it('reports UP on /health only while its checks pass, and serves /metrics', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    consuming = false;
    const down = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json<{ status: string }>().status, 'DOWN');
    consuming = true;
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /^# HELP /m);
  });
});
