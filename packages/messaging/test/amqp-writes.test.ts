// Socket write coalescing (amqp/coalesce.ts) against the real broker: fewer writes, with backpressure and
// heartbeats as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { defineMessage, type AmqpTransport } from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { useBrokerAdmin } from './support/broker.js';
import { Counter, must, uniqueName } from './support/util.js';

const getAdmin = useBrokerAdmin();

const Seq = Type.Object({ seq: Type.Integer(), pad: Type.String() });
const HEARTBEAT = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]);

interface SocketSpy {
  /** Calls that reached the socket's own write (each one a syscall), and the chunks they carried. */
  writes: number;
  chunks: number;
  drains: number;
  heartbeats: Counter;
  readonly socket: { writableCorked: number };
}

/** Spies on the socket under the transport's live connection (amqplib internals, as coalesce.ts uses them). */
function spySocket(t: AmqpTransport): SocketSpy {
  const model = must(t.currentConnection(), 'live connection') as unknown as {
    connection: { stream: NodeJS.EventEmitter & Record<string, unknown> & { writableCorked: number } };
  };
  const socket = model.connection.stream;
  const spy: SocketSpy = { writes: 0, chunks: 0, drains: 0, heartbeats: new Counter(), socket };
  const seen = (chunk: unknown): void => {
    if (Buffer.isBuffer(chunk) && chunk.equals(HEARTBEAT)) spy.heartbeats.hit();
  };
  type Write = (chunk: unknown, encoding: unknown, cb: unknown) => unknown;
  type Writev = (chunks: { chunk: unknown }[], cb: unknown) => unknown;
  const write = (socket._write as Write).bind(socket);
  const writev = (socket._writev as Writev).bind(socket);
  socket._write = ((chunk, encoding, cb) => {
    spy.writes++;
    spy.chunks++;
    seen(chunk);
    return write(chunk, encoding, cb);
  }) satisfies Write;
  socket._writev = ((chunks, cb) => {
    spy.writes++;
    spy.chunks += chunks.length;
    for (const c of chunks) seen(c.chunk);
    return writev(chunks, cb);
  }) satisfies Writev;
  socket.on('drain', () => {
    spy.drains++;
  });
  return spy;
}

async function withQueue(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = uniqueName('writes');
  try {
    await body(queue);
  } finally {
    await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
  }
}

describe('Socket write coalescing', () => {
  it('writes a burst of publishes in far fewer socket writes than messages', async (ctx) => {
    await withQueue(async (queue) => {
      const t = await connectTest();
      try {
        const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
        const pub = t.createPublisher();
        await pub.declare(type);
        const spy = spySocket(t);
        const n = 500;
        await Promise.all(
          Array.from({ length: n }, (_, seq) => pub.publish(type, { seq, pad: 'x'.repeat(150) })),
        );
        ctx.diagnostic(`${n} publishes: ${spy.writes} socket writes carrying ${spy.chunks} chunks`);
        assert.ok(spy.chunks >= n, 'every frame reached the socket');
        assert.ok(spy.writes <= n / 5, `${spy.writes} socket writes for ${n} publishes`);
        assert.equal(spy.socket.writableCorked, 0, 'the socket is not left corked');
      } finally {
        await t.close();
      }
    });
  });

  it('honours socket backpressure: a burst larger than the socket buffer arrives whole and in order', async () => {
    await withQueue(async (queue) => {
      const t = await connectTest();
      try {
        const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
        const pub = t.createPublisher();
        await pub.declare(type);
        const spy = spySocket(t);
        const n = 2000;
        const pad = 'x'.repeat(4000); // 2000 x 4 KB: fills both amqplib's channel buffer and the socket's
        await Promise.all(Array.from({ length: n }, (_, seq) => pub.publish(type, { seq, pad })));
        assert.ok(spy.drains > 0, 'the socket filled up and drained');
        assert.equal(spy.socket.writableCorked, 0);
        const seqs: number[] = [];
        const got = new Counter();
        await t.subscribeToQueue(
          type,
          (v) => {
            seqs.push(v.seq);
            got.hit();
            return Promise.resolve();
          },
          { consumerName: 'writes', prefetch: 200, concurrency: 1 },
        );
        await got.reach(n, 30_000);
        assert.deepEqual(
          seqs,
          Array.from({ length: n }, (_, i) => i),
        );
      } finally {
        await t.close();
      }
    });
  });

  it('still sends heartbeats when idle after a burst', async () => {
    await withQueue(async (queue) => {
      const t = await connectTest({ heartbeatSeconds: 1 });
      try {
        const type = defineMessage({ name: 'Seq', schema: Seq, destination: { kind: 'queue', queue } });
        const pub = t.createPublisher();
        const spy = spySocket(t);
        await Promise.all(Array.from({ length: 200 }, (_, seq) => pub.publish(type, { seq, pad: '' })));
        await spy.heartbeats.reach(2, 10_000, 'heartbeats on the socket');
        assert.equal(t.state, 'connected');
      } finally {
        await t.close();
      }
    });
  });
});
