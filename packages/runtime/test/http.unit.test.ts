import { describe, it } from 'node:test';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import {
  Health,
  allowOnly,
  createHttpServer,
  createLogger,
  createMetrics,
  errorReply,
} from '@goblog/runtime';
import { captureJsonLines } from '@goblog/testkit';

function setup(healthy = true) {
  const health = new Health().register('store', () => ({ ok: healthy }));
  const logger = createLogger({ service: 'test', level: 'silent', pretty: false });
  const app = createHttpServer({ logger, metrics: createMetrics('test'), health });
  app.get<{ Params: { id: string } }>(
    '/things/:id',
    { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,5}$' }) }) } },
    (request) => ({ id: request.params.id }),
  );
  allowOnly(app, '/things/:id', ['GET', 'HEAD']);
  return app;
}

describe('the shared HTTP server', () => {
  it('answers a schema failure with 400 and a JSON error', async () => {
    const res = await setup().inject('/things/abc');
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ error: string }>().error, /invalid request/);
  });

  it('answers an unknown path with 404 JSON and a wrong method with 405 and Allow', async () => {
    const app = setup();
    const missing = await app.inject('/nowhere');
    assert.equal(missing.statusCode, 404);
    assert.equal(typeof missing.json<{ error: string }>().error, 'string');
    const wrong = await app.inject({ method: 'DELETE', url: '/things/1' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
  });

  it('reports UP only while every check is ok', async () => {
    assert.equal((await setup(true).inject('/health')).statusCode, 200);
    const down = await setup(false).inject('/health');
    assert.equal(down.statusCode, 503);
    assert.equal(down.json<{ status: string }>().status, 'DOWN');
  });

  it('counts requests by route and status in /metrics', async () => {
    const app = setup();
    await app.inject('/things/1');
    await app.inject('/things/x');
    const body = (await app.inject('/metrics')).body;
    assert.match(
      body,
      /http_request_duration_seconds_count\{[^}]*method="GET",route="\/things\/:id",status="200"\} 1/,
    );
    assert.match(body, /http_request_duration_seconds_count\{[^}]*route="\/things\/:id",status="400"\} 1/);
    assert.match(body, /process_resident_memory_bytes/);
  });

  it('labels a route by what its metricsRoute returns for each request', async () => {
    const app = setup();
    app.get(
      '/files/*',
      {
        config: {
          metricsRoute: (request) => (request.url.endsWith('.yml') ? '/files/{name}.yml' : '/files/*'),
        },
      },
      () => ({ ok: true }),
    );
    await app.inject('/files/a.yml');
    await app.inject('/files/b.yml');
    await app.inject('/files/c.txt');
    const body = (await app.inject('/metrics')).body;
    assert.match(
      body,
      /http_request_duration_seconds_count\{[^}]*route="\/files\/\{name\}\.yml",status="200"\} 2/,
    );
    assert.match(body, /http_request_duration_seconds_count\{[^}]*route="\/files\/\*",status="200"\} 1/);
  });
});

void describe('a CONNECT request', () => {
  /** Sends one raw CONNECT and resolves with everything the server wrote before it closed the socket. */
  async function rawConnect(port: number): Promise<string> {
    const socket = connect(port, '127.0.0.1');
    socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    await once(socket, 'close');
    return data;
  }

  for (const fastPath of [undefined, () => false]) {
    void it(`is answered 405 with a JSON error, ${fastPath ? 'with' : 'without'} a fast path`, async (t) => {
      const app = createHttpServer({
        logger: createLogger({ service: 'test', level: 'silent', pretty: false }),
        metrics: createMetrics('test'),
        health: new Health(),
        ...(fastPath ? { fastPath } : {}),
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      t.after(() => app.close());
      const answer = await rawConnect((app.server.address() as AddressInfo).port);
      assert.match(answer, /^HTTP\/1\.1 405 /);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      assert.match((JSON.parse(body) as { error: string }).error, /method not allowed/);
    });
  }
});

describe('the logger', () => {
  it('never writes a broker URL or password field', () => {
    const { destination, lines } = captureJsonLines();
    const logger = createLogger({ service: 'test', destination, pretty: false });
    logger.info({ amqp_server_url: 'amqp://u:s3cret@h/', config: { password: 's3cret' } }, 'configured');
    assert.equal(lines.length, 1);
    assert.doesNotMatch(JSON.stringify(lines[0]), /s3cret/);
  });
});

void it('errorReply maps errors in one place: 4xx and 503 say why, other 5xx hide their message', () => {
  assert.deepEqual(errorReply({ validation: [{}], message: 'params/id must match pattern' }), {
    status: 400,
    body: { error: 'invalid request: params/id must match pattern' },
  });
  assert.deepEqual(errorReply({ statusCode: 404, message: 'no account with id 1' }), {
    status: 404,
    body: { error: 'no account with id 1' },
  });
  assert.deepEqual(errorReply({ statusCode: 503, message: 'the account store is closed' }), {
    status: 503,
    body: { error: 'the account store is closed' },
  });
  for (const err of [
    { message: 'TypeError: x is undefined at /srv/app.js:1' },
    { statusCode: 502, message: 'upstream amqp://user:secret@host failed' },
  ]) {
    assert.deepEqual(errorReply(err).body, { error: 'internal error' });
  }
});
