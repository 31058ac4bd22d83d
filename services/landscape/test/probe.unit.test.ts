// probeInstance against local node:http servers: what a look at an instance reports, whatever it answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { probeInstance } from '../src/discovery/probe.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function withServer(handler: RequestListener, run: (url: string) => Promise<void>): Promise<void> {
  const server = createHttpServer(handler);
  const url = await listen(server);
  try {
    await run(url);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const METRICS = '# TYPE up gauge\nup 1\nrequests_total{route="/a"} 7\n';

void describe('probeInstance', () => {
  it('is UP on a 200 from /health, with its checks and the samples of /metrics', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/health') res.end(JSON.stringify({ checks: { broker: { ok: true } } }));
        else if (req.url === '/metrics') res.end(METRICS);
        else res.writeHead(404).end();
      },
      async (url) => {
        const result = await probeInstance(url, 2000);
        assert.equal(result.up, true);
        assert.equal(result.reason, undefined);
        assert.deepEqual({ ...result.checks }, { broker: { ok: true } });
        assert.ok(result.samples.some((s) => s.name === 'requests_total' && s.value === 7));
      },
    );
  });

  it('is DOWN on a 503 naming the failing checks; a /metrics that fails leaves no samples', async () => {
    await withServer(
      (req, res) => {
        if (req.url === '/health') {
          res.statusCode = 503;
          res.end(
            JSON.stringify({ checks: { broker: { ok: true }, store: { ok: false, detail: 'disk full' } } }),
          );
        } else {
          res.statusCode = 500;
          res.end('x'.repeat(3 * 1024 * 1024));
        }
      },
      async (url) => {
        const result = await probeInstance(url, 2000);
        assert.equal(result.up, false);
        assert.equal(result.reason, 'failing: store (disk full)');
        assert.deepEqual(result.samples, []);
      },
    );
  });

  it('names the status when a non-200 /health has no failing check', async () => {
    await withServer(
      (_req, res) => {
        res.statusCode = 500;
        res.end('not json');
      },
      async (url) => {
        const result = await probeInstance(url, 2000);
        assert.equal(result.up, false);
        assert.equal(result.reason, '/health answered 500');
      },
    );
  });

  it('is DOWN with "connection refused" when nothing listens', async () => {
    const gone = createTcpServer();
    const url = await listen(gone);
    await new Promise<void>((resolve) =>
      gone.close(() => {
        resolve();
      }),
    );
    const result = await probeInstance(url, 2000);
    assert.equal(result.up, false);
    assert.equal(result.reason, 'no answer on /health: connection refused');
  });

  it('is DOWN with "no answer within N ms" when the instance does not answer', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    const url = await listen(silent);
    try {
      const result = await probeInstance(url, 100);
      assert.equal(result.up, false);
      assert.equal(result.reason, 'no answer on /health: no answer within 100 ms');
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('is DOWN when /health answers more than 64 KiB', async () => {
    await withServer(
      (_req, res) => {
        res.end(JSON.stringify({ checks: {}, padding: 'x'.repeat(70 * 1024) }));
      },
      async (url) => {
        const result = await probeInstance(url, 2000);
        assert.equal(result.up, false);
        assert.match(result.reason ?? '', /^no answer on \/health: answer of \d+ bytes is too large/);
      },
    );
  });
});
