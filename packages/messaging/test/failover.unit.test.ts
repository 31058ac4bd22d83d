// FailoverConnection with a scripted `open`: which node it dials, in which order, how long it waits, and that
// a lost connection is replaced by one to the next node.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ChannelModel } from 'amqplib';
import { FailoverConnection, type BrokerEndpoint } from '../src/amqp/failover.js';

const endpoints: BrokerEndpoint[] = [1, 2, 3].map((n) => ({
  url: `amqp://u:pw@node${n}:5672/`,
  node: `node${n}:5672`,
}));

class FakeModel extends EventEmitter {
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  /** The broker node dies: amqplib emits close with an error. */
  lose(): void {
    this.emit('close', new Error('socket closed'));
  }
}

/** `open` that refuses the nodes in `down` and records every attempt. */
function scripted(down: Set<string>) {
  const attempts: string[] = [];
  const models: FakeModel[] = [];
  const open = (url: string): Promise<ChannelModel> => {
    const node = new URL(url).hostname;
    attempts.push(node);
    if (down.has(node)) return Promise.reject(new Error(`connect ECONNREFUSED ${node}`));
    const m = new FakeModel();
    models.push(m);
    return Promise.resolve(m as unknown as ChannelModel);
  };
  return { attempts, models, open };
}

function nextConnect(c: FailoverConnection): Promise<BrokerEndpoint> {
  return new Promise((resolve) =>
    c.once('connect', (_m: unknown, e: BrokerEndpoint) => {
      resolve(e);
    }),
  );
}

describe('FailoverConnection', () => {
  it('dials the first node it is told to, and names it', async () => {
    const s = scripted(new Set());
    const c = new FailoverConnection({
      endpoints,
      socketOptions: {},
      initialDelayMs: 1,
      maxDelayMs: 10,
      firstIndex: 1,
      open: s.open,
    });
    assert.equal((await nextConnect(c)).node, 'node2:5672');
    assert.equal(c.node, 'node2:5672');
    await c.close();
    assert.equal(s.models[0]?.closed, true);
  });

  it('on a lost connection, dials the next node round-robin, skipping those that refuse', async () => {
    const down = new Set<string>();
    const s = scripted(down);
    const c = new FailoverConnection({
      endpoints,
      socketOptions: {},
      initialDelayMs: 1,
      maxDelayMs: 10,
      firstIndex: 0,
      open: s.open,
    });
    await nextConnect(c);
    down.add('node1').add('node2');
    const lost = new Promise<BrokerEndpoint>((resolve) =>
      c.once('disconnect', (_e: Error, ep: BrokerEndpoint) => {
        resolve(ep);
      }),
    );
    const again = nextConnect(c);
    s.models[0]?.lose();
    assert.equal((await lost).node, 'node1:5672');
    assert.equal(c.node, undefined, 'no node while reconnecting');
    assert.equal((await again).node, 'node3:5672');
    assert.deepEqual(s.attempts, ['node1', 'node2', 'node3']);
    await c.close();
  });

  it('backs off per failed round of the whole list, with jitter, up to the maximum', async () => {
    const s = scripted(new Set(['node1', 'node2', 'node3']));
    const c = new FailoverConnection({
      endpoints,
      socketOptions: {},
      initialDelayMs: 4,
      maxDelayMs: 16,
      firstIndex: 0,
      open: s.open,
    });
    const delays: number[] = [];
    await new Promise<void>((resolve) => {
      c.on('reconnect-scheduled', (info: { delay: number }) => {
        delays.push(info.delay);
        if (delays.length === 12) resolve();
      });
    });
    await c.close();
    // Round r waits within [base/2, base], base = min(16, 4 * 2^r): 4, 8, 16, 16.
    const bases = [4, 4, 4, 8, 8, 8, 16, 16, 16, 16, 16, 16];
    delays.forEach((d, i) => {
      const base = bases[i] ?? 0;
      assert.ok(d >= base / 2 && d <= base, `attempt ${i + 1}: ${d} ms within [${base / 2}, ${base}]`);
    });
    assert.deepEqual(s.attempts.slice(0, 6), ['node1', 'node2', 'node3', 'node1', 'node2', 'node3']);
  });

  it('stops dialling once closed', async (t) => {
    // Mocked timers: a reconnect the close failed to cancel would run at the tick below, not some time later.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const s = scripted(new Set(['node1', 'node2', 'node3']));
    const c = new FailoverConnection({
      endpoints,
      socketOptions: {},
      initialDelayMs: 50,
      maxDelayMs: 50,
      firstIndex: 0,
      open: s.open,
    });
    await new Promise<void>((resolve) =>
      c.once('connect-failed', () => {
        resolve();
      }),
    );
    await c.close();
    const count = s.attempts.length;
    t.mock.timers.tick(60_000);
    await new Promise(setImmediate);
    assert.equal(s.attempts.length, count);
  });
});
