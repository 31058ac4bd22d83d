// deploy/healthcheck.js, the images' HEALTHCHECK, run as Docker runs it: a process whose exit code is the verdict.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../healthcheck.js', import.meta.url));

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the probe asynchronously: the server answering it lives in this process. */
function probe(args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  const { SERVER_PORT: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { ...inherited, ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: RequestListener): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const health =
  (status: number, seen: string[] = []): RequestListener =>
  (req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: status === 200 ? 'UP' : 'DOWN' }));
  };

void describe('deploy/healthcheck.js', () => {
  void it('reports healthy (exit 0) when GET /health answers 200, and shows the body', async () => {
    const seen: string[] = [];
    const port = await serve(health(200, seen));
    const outcome = await probe([String(port)]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.deepEqual(seen, ['GET /health']);
    assert.match(outcome.stdout, /200 \{"status":"UP"\}/);
  });

  void it('reports unhealthy (exit 1) when /health answers 503', async () => {
    const port = await serve(health(503));
    const outcome = await probe([String(port)]);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stdout, /503/);
  });

  void it('reports unhealthy when nothing listens on the port', async () => {
    const port = await serve(health(200));
    const server = servers.at(-1);
    await new Promise((resolve) => server?.close(resolve));
    const outcome = await probe([String(port)]);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /failed/);
  });

  void it('reports unhealthy when the service does not answer within the timeout', async () => {
    const port = await serve(() => {
      // never answers
    });
    const outcome = await probe([String(port)], { HEALTHCHECK_TIMEOUT_MS: '100' });
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /failed/);
  });

  void it('probes SERVER_PORT when set, over the port it is given', async () => {
    const port = await serve(health(200));
    const outcome = await probe(['1'], { SERVER_PORT: String(port) });
    assert.equal(outcome.code, 0, outcome.stderr);
  });

  void it('reports unhealthy, never exit 2 (reserved by Docker), without a valid port', async () => {
    const outcome = await probe([]);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /no valid port/);
  });
});
