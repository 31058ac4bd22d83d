// fetchEnvironment against a local node:http server standing in for a Spring Cloud Config server: which
// answers it retries, which it rejects at once, and the one line each failure ends with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { isConfigError } from '@goblog/config';
import { fetchEnvironment } from '../src/server-client.ts';
import type { ConfigSource } from '../src/source.ts';

const ENVIRONMENT = {
  name: 'accountservice',
  profiles: ['dev'],
  label: null,
  version: 'abc',
  state: null,
  propertySources: [{ name: 'accountservice.yml', source: { server_name: 'from-server' } }],
};

function source(url: string): ConfigSource {
  return { application: 'accountservice', profile: 'dev', configServerUrl: url, repoDir: '/nowhere' };
}

async function withServer(handler: RequestListener, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

void test('a 503, then an answer that is not JSON, are retried; the Environment after them is read', async () => {
  const answers = [
    (res: Parameters<RequestListener>[1]) => res.writeHead(503).end('x'.repeat(1024 * 1024)),
    (res: Parameters<RequestListener>[1]) => res.end('{"propertySources": ['),
    (res: Parameters<RequestListener>[1]) => res.end(JSON.stringify(ENVIRONMENT)),
  ];
  const accepts: (string | undefined)[] = [];
  await withServer(
    (req, res) => {
      accepts.push(req.headers.accept);
      answers.shift()?.(res);
    },
    async (url) => {
      const environment = await fetchEnvironment(source(url), { retryForMs: 60_000 });
      assert.equal(environment.version, 'abc');
      assert.deepEqual(environment.propertySources, ENVIRONMENT.propertySources);
      assert.deepEqual(accepts, ['application/json', 'application/json', 'application/json']);
    },
  );
});

void test('a 4xx is rejected at once, naming the server without its credentials', async () => {
  await withServer(
    (_req, res) => res.writeHead(404).end('{}'),
    async (url) => {
      await assert.rejects(
        fetchEnvironment(source(url.replace('//', '//user:s3cret@')), { retryForMs: 60_000 }),
        (err) =>
          isConfigError(err, 'SERVER_REJECTED') &&
          err.message === `configuration server at ${url} does not know the requested label (HTTP 404)`,
      );
    },
  );
});

void test('an answer that is not a Spring Environment is rejected', async () => {
  await withServer(
    (_req, res) => res.end('{"propertySources": "none"}'),
    async (url) => {
      await assert.rejects(
        fetchEnvironment(source(url), { retryForMs: 60_000 }),
        (err) => isConfigError(err, 'SERVER_REJECTED') && /is not a Spring Environment/.test(err.message),
      );
    },
  );
});

void test('an answer over 8 MiB is rejected, not retried', async () => {
  let asked = 0;
  await withServer(
    (_req, res) => {
      asked++;
      res.end(Buffer.alloc(8 * 1024 * 1024 + 1, 0x20));
    },
    async (url) => {
      await assert.rejects(
        fetchEnvironment(source(url), { retryForMs: 60_000 }),
        (err) =>
          isConfigError(err, 'SERVER_REJECTED') &&
          err.message === `configuration server at ${url} answered with more than 8388608 bytes`,
      );
      assert.equal(asked, 1);
    },
  );
});

void test('a server that does not answer in time ends in "timed out"; a closed port in its code', async () => {
  const sockets: Socket[] = [];
  const silent = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    await assert.rejects(
      fetchEnvironment(source(silentUrl), { retryForMs: 0, attemptTimeoutMs: 50 }),
      (err) =>
        isConfigError(err, 'SERVER_UNREACHABLE') &&
        err.message === `cannot reach configuration server at ${silentUrl} (timed out, 1 attempts)`,
    );
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
  const gone = createTcpServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) =>
    gone.close(() => {
      resolve();
    }),
  );
  await assert.rejects(
    fetchEnvironment(source(goneUrl), { retryForMs: 0 }),
    (err) =>
      isConfigError(err, 'SERVER_UNREACHABLE') &&
      err.message === `cannot reach configuration server at ${goneUrl} (ECONNREFUSED, 1 attempts)`,
  );
});
