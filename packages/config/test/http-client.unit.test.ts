import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { httpRequest, ResponseTooLargeError } from '@goblog/config';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local node:http server for one test; `close()` ends it, and every connection it still holds. */
async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void describe('httpRequest', () => {
  it('GETs a body with its status and headers, and parses JSON', async () => {
    const seen: { method?: string; url?: string; accept?: string }[] = [];
    const server = await serve((req, res) => {
      seen.push({ method: req.method, url: req.url, accept: req.headers.accept });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-extra', 'yes');
      res.end(JSON.stringify({ hello: 'wörld', n: [1, 2] }));
    });
    try {
      const response = await httpRequest(`${server.url}/a/b?c=d,e`, {
        headers: { accept: 'application/json' },
        maxBytes: 1024,
      });
      assert.equal(response.status, 200);
      assert.equal(response.ok, true);
      assert.equal(response.headers['x-extra'], 'yes');
      assert.deepEqual(response.json(), { hello: 'wörld', n: [1, 2] });
      assert.deepEqual(seen, [{ method: 'GET', url: '/a/b?c=d,e', accept: 'application/json' }]);
    } finally {
      await server.close();
    }
  });

  it('sends a method, headers and a body with its length', async () => {
    const seen: { method?: string; length?: string; type?: string; body: string }[] = [];
    const server = await serve((req, res) => {
      void bodyOf(req).then((body) => {
        seen.push({
          method: req.method,
          length: req.headers['content-length'],
          type: req.headers['content-type'],
          body,
        });
        res.statusCode = 201;
        res.end('made');
      });
    });
    try {
      const response = await httpRequest(`${server.url}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"é"}',
        maxBytes: 1024,
      });
      assert.equal(response.status, 201);
      assert.equal(response.text(), 'made');
      assert.deepEqual(seen, [
        { method: 'POST', length: '13', type: 'application/json', body: '{"name":"é"}' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('resolves every status with its body (a 503 is an answer, not an error)', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('{"checks":{"db":{"ok":false}}}');
    });
    try {
      const response = await httpRequest(server.url, { maxBytes: 1024 });
      assert.equal(response.status, 503);
      assert.equal(response.ok, false);
      assert.deepEqual(response.json(), { checks: { db: { ok: false } } });
    } finally {
      await server.close();
    }
  });

  it('discards unread the body of a status readBody refuses, however large', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('x'.repeat(10_000));
    });
    try {
      const response = await httpRequest(server.url, { maxBytes: 10, readBody: (status) => status === 200 });
      assert.equal(response.status, 500);
      assert.equal(response.body.length, 0);
    } finally {
      await server.close();
    }
  });

  it('sends basic auth from an authorization header, and from the URL user info', async () => {
    const seen: (string | undefined)[] = [];
    const server = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.end();
    });
    try {
      const header = `Basic ${Buffer.from('guest:s3cret').toString('base64')}`;
      await httpRequest(`${server.url}/api`, { headers: { authorization: header }, maxBytes: 10 });
      await httpRequest(`${server.url.replace('//', '//us%40er:p%3Ass@')}/api`, { maxBytes: 10 });
      assert.deepEqual(seen, [header, `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`]);
    } finally {
      await server.close();
    }
  });

  it('rejects an answer whose Content-Length is over maxBytes, with a clear error', async () => {
    const server = await serve((_req, res) => {
      res.end('x'.repeat(2000));
    });
    try {
      await assert.rejects(
        httpRequest(server.url, { maxBytes: 1000 }),
        (err) =>
          err instanceof ResponseTooLargeError &&
          err.message === 'answer of 2000 bytes is too large (at most 1000)' &&
          err.status === 200 &&
          err.announcedBytes === 2000,
      );
    } finally {
      await server.close();
    }
  });

  it('rejects a chunked answer as soon as it passes maxBytes, and closes the connection', async () => {
    let closed: Promise<unknown> | undefined;
    const server = await serve((_req, res) => {
      closed = once(res, 'close');
      res.write('x'.repeat(600));
      res.write('x'.repeat(600));
      // Never ended: only the client's closing the connection ends this answer.
    });
    try {
      await assert.rejects(
        httpRequest(server.url, { maxBytes: 1000 }),
        (err) =>
          err instanceof ResponseTooLargeError &&
          err.message === 'answer too large (more than 1000 bytes)' &&
          err.announcedBytes === undefined,
      );
      await closed;
    } finally {
      await server.close();
    }
  });

  it('takes an answer of exactly maxBytes', async () => {
    const server = await serve((_req, res) => {
      res.write('x'.repeat(500));
      res.end('y'.repeat(500));
    });
    try {
      const response = await httpRequest(server.url, { maxBytes: 1000 });
      assert.equal(response.text(), `${'x'.repeat(500)}${'y'.repeat(500)}`);
    } finally {
      await server.close();
    }
  });

  it("rejects with the signal's reason when aborted before the answer, and when aborted mid-body", async () => {
    let respond: ((res: ServerResponse) => void) | undefined;
    const arrived = new Promise<ServerResponse>((resolve) => {
      respond = resolve;
    });
    const server = await serve((_req, res) => {
      respond?.(res);
    });
    try {
      const controller = new AbortController();
      const pending = httpRequest(server.url, { signal: controller.signal, maxBytes: 1000 });
      await arrived;
      const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      controller.abort(reason);
      await assert.rejects(pending, (err) => err === reason);

      const headers = new AbortController();
      let half: ((res: ServerResponse) => void) | undefined;
      const halfway = new Promise<ServerResponse>((resolve) => {
        half = resolve;
      });
      respond = (res) => {
        res.write('part of it');
        half?.(res);
      };
      const reading = httpRequest(server.url, { signal: headers.signal, maxBytes: 1000 });
      await halfway;
      headers.abort(new Error('stop'));
      await assert.rejects(reading, /^Error: stop$/);

      const already = AbortSignal.abort(new Error('too late'));
      await assert.rejects(httpRequest(server.url, { signal: already, maxBytes: 1000 }), /too late/);
    } finally {
      await server.close();
    }
  });

  it('rejects a timed-out request with the TimeoutError of AbortSignal.timeout', async () => {
    // A server that accepts and never answers: only the signal ends the request.
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    try {
      await assert.rejects(
        httpRequest(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(50), maxBytes: 10 }),
        (err) => err instanceof Error && err.name === 'TimeoutError',
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("rejects a refused connection with the system error's code", async () => {
    const gone = createTcpServer();
    const port = await listen(gone);
    await new Promise<void>((resolve) =>
      gone.close(() => {
        resolve();
      }),
    );
    await assert.rejects(
      httpRequest(`http://127.0.0.1:${port}/`, { maxBytes: 10 }),
      (err) => (err as { code?: unknown }).code === 'ECONNREFUSED',
    );
  });

  it('rejects an answer cut off before its end', async () => {
    const cut = createTcpServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part');
    });
    const port = await listen(cut);
    try {
      await assert.rejects(httpRequest(`http://127.0.0.1:${port}/`, { maxBytes: 1000 }), (err) =>
        /aborted|before the answer was complete/.test((err as Error).message),
      );
    } finally {
      cut.close();
    }
  });

  it('speaks TLS to an https: URL, and refuses other protocols', async () => {
    const firstBytes: Buffer[] = [];
    const tls = createTcpServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        firstBytes.push(chunk);
        socket.destroy();
      });
    });
    const port = await listen(tls);
    try {
      await assert.rejects(httpRequest(`https://127.0.0.1:${port}/`, { maxBytes: 10 }));
      // A TLS handshake record (0x16), version 3.x: a ClientHello, not a plain GET.
      const hello = firstBytes[0];
      assert.ok(hello);
      assert.deepEqual([hello[0], hello[1]], [0x16, 0x03]);
    } finally {
      tls.close();
    }
    await assert.rejects(httpRequest('ftp://127.0.0.1/', { maxBytes: 10 }), /unsupported protocol ftp:/);
  });

  it('leaves nothing that keeps a process alive: a client exits once its request is done', async () => {
    // The server would keep an idle connection open for ever (keepAliveTimeout 0); the child must not
    // wait for it. Were its socket kept referenced in a pool, the child would never exit.
    const server = createHttpServer((_req, res) => {
      res.end('done');
    });
    server.keepAliveTimeout = 0;
    const port = await listen(server);
    const client = fileURLToPath(new URL('../src/http-client.ts', import.meta.url));
    const script = [
      `const { httpRequest } = await import(${JSON.stringify(client)});`,
      `const r = await httpRequest('http://127.0.0.1:${port}/', { maxBytes: 100 });`,
      `process.stdout.write(r.text());`,
    ].join('\n');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
      assert.equal(out, 'done');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
