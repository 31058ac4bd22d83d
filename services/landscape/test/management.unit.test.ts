// ManagementClient against a local node:http server standing in for RabbitMQ's management API: the
// credentials it sends, what it makes of the answers, and how it reports a broker that does not answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { ManagementClient } from '../src/broker/management.ts';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

const QUEUES = [
  {
    name: 'vip_queue',
    messages_unacknowledged: 3,
    type: 'quorum',
    leader: 'rabbit@a',
    members: ['rabbit@a', 'rabbit@b'],
    message_stats: { publish_details: { rate: 2.5 }, deliver_get_details: { rate: 1.5 } },
  },
];
const NODES = [
  { name: 'rabbit@a', running: true },
  { name: 'rabbit@b', running: false },
];

/** The three reads the client makes, answered as RabbitMQ does; `answer` may override any. */
function managementApi(answer?: Answer): Answer {
  return (req, res) => {
    if (answer) {
      answer(req, res);
      if (res.writableEnded || res.headersSent) return;
    }
    res.setHeader('content-type', 'application/json');
    const path = req.url?.split('?')[0];
    if (path === '/api/queues/%2F') res.end(JSON.stringify(QUEUES));
    else if (path === '/api/nodes') res.end(JSON.stringify(NODES));
    else if (path === '/api/overview') res.end(JSON.stringify({ cluster_name: 'rabbit@a' }));
    else res.writeHead(404).end('{}');
  };
}

async function withApi(answer: Answer, run: (base: string) => Promise<void>): Promise<void> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

void describe('ManagementClient', () => {
  it("reads queues, nodes and the cluster name with the management URL's own credentials", async () => {
    const seen: { url?: string; authorization?: string }[] = [];
    const api = managementApi((req) => seen.push({ url: req.url, authorization: req.headers.authorization }));
    await withApi(api, async (host) => {
      const client = new ManagementClient({
        amqpUrl: 'amqp://amqpuser:amqppw@127.0.0.1:5672/',
        managementUrl: `http://ad%40min:s3c%3Aret@${host}/`,
      });
      const view = await client.read();
      assert.equal(view.available, true);
      // Shown without its credentials.
      assert.equal(view.url, `http://${host}`);
      assert.equal(view.clusterName, 'rabbit@a');
      assert.deepEqual(view.nodes, NODES);
      assert.deepEqual(view.queues?.get('vip_queue'), {
        messagesUnacknowledged: 3,
        type: 'quorum',
        leader: 'rabbit@a',
        members: ['rabbit@a', 'rabbit@b'],
        publishRate: 2.5,
        deliverRate: 1.5,
      });
      assert.equal(seen.length, 3);
      for (const s of seen) assert.equal(s.authorization, basic('ad@min', 's3c:ret'));
      assert.deepEqual(seen.map((s) => s.url?.split('?')[0]).sort(), [
        '/api/nodes',
        '/api/overview',
        '/api/queues/%2F',
      ]);
    });
  });

  it("falls back to the AMQP URL's credentials and vhost", async () => {
    const seen: { url?: string; authorization?: string }[] = [];
    const api = managementApi((req) => seen.push({ url: req.url, authorization: req.headers.authorization }));
    await withApi(api, async (host) => {
      const client = new ManagementClient({
        amqpUrl: 'amqp://amqpuser:amqppw@127.0.0.1:5672/my%2Fvhost',
        managementUrl: `http://${host}`,
      });
      await client.read();
      for (const s of seen) assert.equal(s.authorization, basic('amqpuser', 'amqppw'));
      assert.ok(seen.some((s) => s.url?.startsWith('/api/queues/my%2Fvhost?columns=')));
    });
  });

  it('reports a refusing API by its status, and waits before asking again', async () => {
    const api = managementApi((_req, res) => {
      res.writeHead(401).end('x'.repeat(10 * 1024 * 1024));
    });
    await withApi(api, async (host) => {
      const client = new ManagementClient({
        amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/',
        managementUrl: `http://${host}`,
      });
      const view = await client.read();
      assert.equal(view.available, false);
      assert.equal(view.reason, 'HTTP 401');
      // The same view, not asked again: a broker without the API is not asked every cycle.
      assert.equal(await client.read(), view);
    });
  });

  it('names a refused connection by its code, and an answer that is not what it expects', async () => {
    const gone = createTcpServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) =>
      gone.close(() => {
        resolve();
      }),
    );
    const refused = await new ManagementClient({
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/',
      managementUrl: `http://127.0.0.1:${port}`,
    }).read();
    assert.equal(refused.available, false);
    assert.equal(refused.reason, 'ECONNREFUSED');

    const api = managementApi((req, res) => {
      if (req.url?.startsWith('/api/nodes')) res.end('[{"name":1}]');
    });
    await withApi(api, async (host) => {
      const view = await new ManagementClient({
        amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/',
        managementUrl: `http://${host}`,
      }).read();
      assert.equal(view.reason, 'unexpected answer');
    });
  });

  it('asks the next URL when the first does not answer, and shows the one that did', async () => {
    const gone = createTcpServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) =>
      gone.close(() => {
        resolve();
      }),
    );
    await withApi(managementApi(), async (host) => {
      const view = await new ManagementClient({
        amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/',
        managementUrl: `http://127.0.0.1:${port}, http://${host}`,
      }).read();
      assert.equal(view.available, true);
      assert.equal(view.url, `http://${host}`);
    });
  });
});
