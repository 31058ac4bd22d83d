// Route schemas are compiled by typebox: what a route sees and answers is what Fastify's Ajv defaults gave it,
// and neither Ajv nor fast-json-stringify is loaded (an idle service would hold both, one Ajv each).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Type } from 'typebox';
import { Health, createHttpServer, createLogger, createMetrics } from '@goblog/runtime';

function setup() {
  const logger = createLogger({ service: 'test', level: 'silent', pretty: false });
  const app = createHttpServer({ logger, metrics: createMetrics('test'), health: new Health() });
  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/things/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,5}$' }) }),
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
        }),
        response: {
          200: Type.Object({
            id: Type.String(),
            limit: Type.Integer(),
            nested: Type.Object({ kept: Type.String() }),
            list: Type.Array(Type.Object({ kept: Type.String() })),
          }),
        },
      },
    },
    (request) => ({
      id: request.params.id,
      limit: request.query.limit,
      secret: 'not in the schema',
      nested: { kept: 'a', secret: 'b' },
      list: [{ kept: 'c', secret: 'd' }],
    }),
  );
  app.post<{ Body: { keys: string[] } }>(
    '/keys',
    {
      schema: {
        body: Type.Object(
          { keys: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }) },
          { additionalProperties: false },
        ),
      },
    },
    (request) => ({ count: request.body.keys.length }),
  );
  return app;
}

describe('route schemas compiled by typebox', () => {
  it('answers the first problem with 400, worded as Ajv words it', async () => {
    const res = await setup().inject('/things/abc');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: 'invalid request: params/id must match pattern "^[0-9]{1,5}$"',
    });
    const body = await setup().inject({ method: 'POST', url: '/keys', payload: { keys: [] } });
    assert.equal(body.statusCode, 400);
    assert.match(body.json<{ error: string }>().error, /^invalid request: body\/keys /);
  });

  it('converts query values to the schema types and fills in defaults', async () => {
    const app = setup();
    assert.equal((await app.inject('/things/1?limit=25')).json<{ limit: number }>().limit, 25);
    assert.equal((await app.inject('/things/1')).json<{ limit: number }>().limit, 10);
    assert.equal((await app.inject('/things/1?limit=1000')).statusCode, 400);
    assert.equal((await app.inject('/things/1?limit=ten')).statusCode, 400);
  });

  it('refuses a property that additionalProperties: false forbids, and accepts a valid body', async () => {
    const app = setup();
    const extra = await app.inject({ method: 'POST', url: '/keys', payload: { keys: ['a'], all: true } });
    assert.equal(extra.statusCode, 400);
    const ok = await app.inject({ method: 'POST', url: '/keys', payload: { keys: ['a', 'b'] } });
    assert.deepEqual(ok.json(), { count: 2 });
  });

  it('writes only what the response schema declares, nested objects and arrays too', async () => {
    const res = await setup().inject('/things/7');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { id: '7', limit: 10, nested: { kept: 'a' }, list: [{ kept: 'c' }] });
  });

  it('loads neither Ajv nor fast-json-stringify', async () => {
    const app = setup();
    await app.ready();
    await app.inject('/things/1');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    // The control: the recorder sees Fastify's own modules.
    assert.ok(loaded.some((path) => path.includes('/node_modules/fastify/')));
    // Fastify's prebuilt error serialiser needs fast-json-stringify's small runtime, never its compiler.
    const compilers =
      /\/node_modules\/(ajv|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)\/|\/fast-json-stringify\/index\.js$/;
    assert.deepEqual(
      loaded.filter((path) => compilers.test(path)),
      [],
    );
    await app.close();
  });
});
