import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AccountStore, OutboxRelay, VipNotification } from '../src/index.js';
import type { PendingNotification, RelayRound } from '../src/index.js';
import { drained, tempDataDir } from './support/fixtures.js';
import { FakeConnection, ScriptedPublisher } from './support/scripted-publisher.js';

const note = (n: number): PendingNotification => ({
  messageId: `m-${n}`,
  body: { accountId: String(10000 + n), readAt: new Date(1_700_000_000_000 + n).toISOString() },
  recordedAt: 1_700_000_000_000 + n,
});

void describe('the outbox relay', () => {
  let dir: string;
  let cleanup: () => void;
  let store: AccountStore;
  let publisher: ScriptedPublisher;
  let connection: FakeConnection;
  let relay: OutboxRelay;

  beforeEach(() => {
    ({ dir, cleanup } = tempDataDir());
    store = AccountStore.open({ dataDir: dir });
    publisher = new ScriptedPublisher();
    connection = new FakeConnection();
    relay = new OutboxRelay({
      outbox: store.outbox,
      publisher,
      messageType: VipNotification,
      connection,
      appId: 'accountservice',
      initialBackoffMs: 5,
      maxBackoffMs: 20,
    });
  });

  afterEach(async () => {
    await relay.stop();
    await store.close();
    cleanup();
  });

  void it('publishes recorded notifications in order, with their message id and time, then deletes them', async () => {
    relay.start();
    const done = drained(relay);
    for (const n of [1, 2, 3]) await store.outbox.record(note(n));
    await done;
    assert.deepEqual(
      publisher.calls.map((c) => [c.type, c.options?.messageId, c.options?.timestamp, c.options?.appId]),
      [1, 2, 3].map((n) => ['VipNotification', `m-${n}`, 1_700_000_000_000 + n, 'accountservice']),
    );
    assert.deepEqual(publisher.calls[0]?.body, note(1).body);
    assert.equal(store.outbox.depth, 0);
  });

  void it('keeps an entry until the broker confirmed it', async () => {
    publisher.mode = 'hold';
    relay.start();
    await store.outbox.record(note(1));
    const [call] = await publisher.waitForCalls(1);
    assert.equal(store.outbox.depth, 1);
    const done = drained(relay);
    call?.confirm();
    await done;
    assert.equal(store.outbox.depth, 0);
    assert.equal(publisher.calls.length, 1);
  });

  void it('retries a failed publish with the same message id and resends only what was not confirmed', async () => {
    publisher.mode = 'hold';
    relay.start();
    await Promise.all([1, 2, 3].map((n) => store.outbox.record(note(n))));
    const first = await publisher.waitForCalls(3);
    publisher.mode = 'auto';
    const done = drained(relay);
    first[0]?.confirm();
    first[1]?.fail();
    first[2]?.confirm();
    await done;
    assert.deepEqual(
      publisher.calls.map((c) => c.options?.messageId),
      ['m-1', 'm-2', 'm-3', 'm-2'],
    );
  });

  void it('publishes nothing while the broker is away and everything once it is back', async () => {
    connection.set('disconnected');
    relay.start();
    for (const n of [1, 2]) await store.outbox.record(note(n));
    assert.equal(publisher.calls.length, 0);
    assert.equal(store.outbox.depth, 2);
    const done = drained(relay);
    connection.set('connected');
    await done;
    assert.deepEqual(
      publisher.calls.map((c) => c.options?.messageId),
      ['m-1', 'm-2'],
    );
  });

  void it('backs off after failures instead of retrying in a loop, then delivers', async () => {
    publisher.mode = 'fail';
    relay.start();
    await store.outbox.record(note(1));
    await publisher.waitForCalls(3);
    assert.ok(relay.failures >= 2);
    const done = drained(relay);
    publisher.mode = 'auto';
    await done;
    assert.equal(relay.failures, 0);
    assert.equal(publisher.calls.at(-1)?.options?.messageId, 'm-1');
  });

  void it('first publishes what a previous process left in the outbox', async () => {
    for (const n of [1, 2, 3]) await store.outbox.record(note(n));
    await store.close();
    store = AccountStore.open({ dataDir: dir });
    relay = new OutboxRelay({ outbox: store.outbox, publisher, messageType: VipNotification, connection });
    const done = drained(relay);
    relay.start();
    await done;
    assert.deepEqual(
      publisher.calls.map((c) => c.options?.messageId),
      ['m-1', 'm-2', 'm-3'],
    );
  });

  void it('finishes the batch in flight before it stops', async () => {
    publisher.mode = 'hold';
    relay.start();
    await store.outbox.record(note(1));
    const [call] = await publisher.waitForCalls(1);
    const stopping = relay.stop(10_000);
    call?.confirm();
    await stopping;
    assert.equal(store.outbox.depth, 0);
  });

  void describe('while requests saturate the service', () => {
    /** A relay whose load signal the test sets; batches of 2 so a round is visible. */
    const deferringRelay = (
      saturated: { value: boolean },
      options: { deferIntervalMs?: number; maxDeferMs?: number } = {},
    ): OutboxRelay =>
      new OutboxRelay({
        outbox: store.outbox,
        publisher,
        messageType: VipNotification,
        connection,
        batchSize: 2,
        saturated: () => saturated.value,
        deferIntervalMs: options.deferIntervalMs ?? 60_000,
        maxDeferMs: options.maxDeferMs ?? 60_000,
      });
    const recent = (n: number): PendingNotification => ({ ...note(n), recordedAt: Date.now() });

    void it('publishes one batch per interval, then everything once the load is gone', async () => {
      const saturated = { value: true };
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(recent(n));
      relay = deferringRelay(saturated);
      const firstRound = new Promise<RelayRound>((resolve) => relay.onRound(resolve));
      relay.start();
      assert.deepEqual(await firstRound, { published: 2, failed: 0, depth: 3 });
      // The next round waits for the interval (a minute here); new records do not cut it short.
      await store.outbox.record(recent(6));
      assert.equal(publisher.calls.length, 2);

      saturated.value = false;
      const done = drained(relay);
      // The relay notices the load is gone at its next round (after the interval); a reconnect wakes it now.
      connection.set('disconnected');
      connection.set('connected');
      await done;
      assert.deepEqual(
        publisher.calls.map((c) => c.options?.messageId),
        ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6'],
      );
    });

    void it('never defers an entry older than maxDeferMs', async () => {
      const saturated = { value: true };
      // Recorded a minute ago: already past the 1 s bound, so it goes out at full speed despite the load.
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(note(n));
      relay = deferringRelay(saturated, { maxDeferMs: 1000 });
      const done = drained(relay);
      relay.start();
      await done;
      assert.equal(publisher.calls.length, 5);
    });

    void it('drains without deferring when asked to stop', async () => {
      const saturated = { value: true };
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(recent(n));
      relay = deferringRelay(saturated);
      relay.start();
      await publisher.waitForCalls(2);
      await relay.stop(5000);
      assert.equal(store.outbox.depth, 0);
      assert.equal(publisher.calls.length, 5);
    });
  });
});
