import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loopPressure } from '@goblog/runtime';
import { AccountStore, OutboxRelay, VipNotification } from '../src/index.js';
import type { PendingNotification } from '../src/index.js';
import { capturePinoLogger, drained, tempDataDir, testApp } from './support/fixtures.js';
import { FakeConnection, ScriptedPublisher } from './support/scripted-publisher.js';
import { FlakyOutbox } from './support/flaky-outbox.js';
import { Pacer } from '../src/outbox/pacer.js';
import type { SleepKind } from '../src/outbox/pacer.js';

/** The relay's own scheduler, remembering every sleep the relay asked for. */
class RecordingPacer extends Pacer {
  readonly sleeps: { kind: SleepKind; ms: number }[] = [];
  readonly #waiters = new Set<() => void>();
  override sleep(kind: SleepKind, ms = 0): Promise<void> {
    this.sleeps.push({ kind, ms });
    for (const check of [...this.#waiters]) check();
    return super.sleep(kind, ms);
  }

  /** Resolves once the relay has asked for `count` sleeps: it has finished the rounds before them. */
  untilSleeps(count: number, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.sleeps.length < count) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`expected ${count} sleeps within ${timeoutMs} ms, saw ${this.sleeps.length}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }
}

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

  void it('keeps as many batches in flight as the LMDB outbox allows when the service composes it', async () => {
    const t = await testApp();
    try {
      assert.ok(t.store.outbox.maxBatchesInFlight !== undefined && t.store.outbox.maxBatchesInFlight > 1);
      assert.equal(t.relay.maxBatchesInFlight, t.store.outbox.maxBatchesInFlight);
    } finally {
      await t.close();
    }
  });

  void describe('with several batches in flight', () => {
    const pipelined = (pacer?: Pacer): OutboxRelay =>
      new OutboxRelay({
        outbox: store.outbox,
        publisher,
        messageType: VipNotification,
        connection,
        maxBatchesInFlight: 4,
        initialBackoffMs: 5,
        maxBackoffMs: 20,
        ...(pacer === undefined ? {} : { pacer }),
      });

    void it('keeps a large batch alone in flight: what is recorded meanwhile goes out after its confirms', async () => {
      publisher.mode = 'hold';
      const pacer = new RecordingPacer();
      relay = pipelined(pacer);
      for (let n = 1; n <= 20; n++) await store.outbox.record(note(n));
      relay.start();
      const held = await publisher.waitForCalls(20);
      // Asleep after the batch of 20 went out; then a record wakes it for a round that must publish nothing.
      await pacer.untilSleeps(1);
      await store.outbox.record(note(21));
      await pacer.untilSleeps(2);
      assert.equal(publisher.calls.length, 20);
      const done = drained(relay);
      for (const call of held) call.confirm();
      const last = (await publisher.waitForCalls(21)).at(20);
      assert.ok(last !== undefined);
      assert.equal(last.options?.messageId, 'm-21');
      last.confirm();
      await done;
      assert.equal(store.outbox.depth, 0);
    });

    void it('publishes a notification recorded while the batch before it awaits its confirm', async () => {
      publisher.mode = 'hold';
      relay = pipelined();
      relay.start();
      await store.outbox.record(note(1));
      const [first] = await publisher.waitForCalls(1);
      await store.outbox.record(note(2));
      // One batch at a time, this second publish would wait for the first one's confirm.
      const calls = await publisher.waitForCalls(2);
      assert.deepEqual(
        calls.map((c) => c.options?.messageId),
        ['m-1', 'm-2'],
      );
      assert.equal(store.outbox.depth, 2);
      const done = drained(relay);
      first?.confirm();
      calls[1]?.confirm();
      await done;
      assert.equal(store.outbox.depth, 0);
      assert.equal(publisher.calls.length, 2);
    });

    void it('publishes a failed entry again, and deletes only what was confirmed', async () => {
      publisher.mode = 'hold';
      relay = pipelined();
      relay.start();
      await store.outbox.record(note(1));
      const [first] = await publisher.waitForCalls(1);
      await store.outbox.record(note(2));
      const [, second] = await publisher.waitForCalls(2);
      publisher.mode = 'auto';
      const done = drained(relay);
      first?.fail();
      second?.confirm();
      await done;
      assert.deepEqual(
        publisher.calls.map((c) => c.options?.messageId),
        ['m-1', 'm-2', 'm-1'],
      );
      assert.equal(store.outbox.depth, 0);
    });

    void it('finishes the batches in flight before it stops', async () => {
      publisher.mode = 'hold';
      relay = pipelined();
      relay.start();
      await store.outbox.record(note(1));
      await publisher.waitForCalls(1);
      await store.outbox.record(note(2));
      const calls = await publisher.waitForCalls(2);
      const stopping = relay.stop(10_000);
      for (const call of calls) call.confirm();
      await stopping;
      assert.equal(store.outbox.depth, 0);
    });
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
    const pacer = new RecordingPacer();
    relay = new OutboxRelay({
      outbox: store.outbox,
      publisher,
      messageType: VipNotification,
      connection,
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      pacer,
    });
    publisher.mode = 'fail';
    relay.start();
    await store.outbox.record(note(1));
    await publisher.waitForCalls(4);
    // Between the four failed tries the relay slept three times, each a backoff within its jittered bounds:
    // attempt n waits between half and all of min(80, 20 * 2^(n-1)) ms. A loop without backoff asks for none.
    const backoffs = pacer.sleeps.filter((s) => s.kind === 'backoff').slice(0, 3);
    assert.equal(backoffs.length, 3, `sleeps asked for: ${JSON.stringify(pacer.sleeps)}`);
    for (const [i, ceiling] of [20, 40, 80].entries()) {
      const ms = backoffs[i]?.ms ?? 0;
      assert.ok(
        ms >= ceiling / 2 && ms <= ceiling,
        `backoff ${i + 1} was ${ms} ms, not within ${ceiling / 2}..${ceiling}`,
      );
    }
    assert.ok(relay.failures >= 3);
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

  void describe('when reading the outbox throws', () => {
    let log: ReturnType<typeof capturePinoLogger>;
    const relayOn = (outbox: FlakyOutbox): OutboxRelay => {
      log = capturePinoLogger();
      return new OutboxRelay({
        outbox,
        publisher,
        messageType: VipNotification,
        connection,
        logger: log.logger,
        initialBackoffMs: 5,
        maxBackoffMs: 20,
      });
    };
    const messages = (): unknown[] => log.lines.map((l) => l.msg);

    void it('logs, backs off and goes on relaying after an unexpected error', async () => {
      const outbox = new FlakyOutbox(store.outbox, 1);
      await store.outbox.record(note(1));
      relay = relayOn(outbox);
      const done = drained(relay);
      relay.start();
      await done;
      assert.deepEqual(
        publisher.calls.map((c) => c.options?.messageId),
        ['m-1'],
      );
      assert.deepEqual(relay.health(), { ok: true });
      assert.deepEqual(messages(), [
        'outbox relay round failed unexpectedly; retrying after a backoff',
        'outbox relay running again after unexpected errors',
      ]);
    });

    void it('reports itself unhealthy with the reason while the errors keep coming, healthy once they stop', async () => {
      const outbox = new FlakyOutbox(store.outbox, 'always');
      await store.outbox.record(note(1));
      relay = relayOn(outbox);
      assert.equal(relay.health().ok, false);
      relay.start();
      // Each peek after a failure comes once that failure has been counted.
      await outbox.peeked(4);
      const failing = relay.health();
      assert.equal(failing.ok, false);
      assert.match(failing.detail ?? '', /damaged outbox entry/);
      assert.equal(publisher.calls.length, 0);

      const done = drained(relay);
      outbox.heal();
      await done;
      assert.deepEqual(relay.health(), { ok: true });
      assert.equal(publisher.calls.at(-1)?.options?.messageId, 'm-1');
    });

    void it('reports itself unhealthy while publishing keeps throwing', async () => {
      // A publisher that throws instead of rejecting: every round fails unexpectedly.
      let calls = 0;
      let fourth: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (fourth = resolve));
      const throwing = {
        publish(): Promise<void> {
          if (++calls === 4) fourth();
          throw new Error('publisher broke');
        },
        close: () => Promise.resolve(),
      };
      log = capturePinoLogger();
      relay = new OutboxRelay({
        outbox: store.outbox,
        publisher: throwing,
        messageType: VipNotification,
        connection,
        logger: log.logger,
        initialBackoffMs: 5,
        maxBackoffMs: 20,
      });
      await store.outbox.record(note(1));
      relay.start();
      // The fourth attempt comes after three failures were counted.
      await reached;
      const failing = relay.health();
      assert.equal(failing.ok, false);
      assert.match(failing.detail ?? '', /publisher broke/);
      assert.equal(store.outbox.depth, 1);
    });

    void it('reports itself unhealthy once stopped', async () => {
      relay.start();
      await relay.stop();
      assert.deepEqual(relay.health(), { ok: false, detail: 'stopped' });
    });
  });

  void describe('while requests saturate the service', () => {
    /** The load signal a test sets; `checked(n)` resolves once the relay has asked for it n times. */
    class Load {
      value = true;
      #checks = 0;
      #waiters: { n: number; resolve: () => void }[] = [];
      readonly saturated = (): boolean => {
        this.#checks++;
        for (const w of this.#waiters.filter((w) => this.#checks >= w.n)) w.resolve();
        this.#waiters = this.#waiters.filter((w) => this.#checks < w.n);
        return this.value;
      };
      checked(n: number): Promise<void> {
        return new Promise((resolve) => {
          if (this.#checks >= n) resolve();
          else this.#waiters.push({ n, resolve });
        });
      }
    }
    /** A relay that defers on `load`, checking it every 5 ms; batches of 2 so rounds are visible. */
    const deferringRelay = (load: Load, options: { maxDeferMs?: number } = {}): OutboxRelay =>
      new OutboxRelay({
        outbox: store.outbox,
        publisher,
        messageType: VipNotification,
        connection,
        batchSize: 2,
        saturated: load.saturated,
        deferCheckMs: 5,
        maxDeferMs: options.maxDeferMs ?? 60_000,
      });
    const recent = (n: number): PendingNotification => ({ ...note(n), recordedAt: Date.now() });

    void it('publishes nothing while the load lasts, then everything in order once it eases', async () => {
      const load = new Load();
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(recent(n));
      relay = deferringRelay(load);
      relay.start();
      // Several checks of the load, and a record in between: still nothing published.
      await load.checked(3);
      await store.outbox.record(recent(6));
      await load.checked(6);
      assert.equal(publisher.calls.length, 0);
      assert.equal(store.outbox.depth, 6);

      const done = drained(relay);
      load.value = false;
      await done;
      assert.deepEqual(
        publisher.calls.map((c) => c.options?.messageId),
        ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6'],
      );
    });

    void it('never defers an entry older than maxDeferMs', async () => {
      const load = new Load();
      // Recorded long ago: already past the 1 s bound, so it goes out at full speed despite the load.
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(note(n));
      relay = deferringRelay(load, { maxDeferMs: 1000 });
      const done = drained(relay);
      relay.start();
      await done;
      assert.equal(publisher.calls.length, 5);
    });

    void it('publishes at once on an idle service right after its busy startup', async () => {
      // The service's own load signal, created at startup as compose does; then startup goes on with
      // synchronous work (module loading, compilation) before the first VIP read.
      const saturated = loopPressure();
      const end = performance.now() + 150;
      while (performance.now() < end);
      const pacer = new RecordingPacer();
      relay = new OutboxRelay({
        outbox: store.outbox,
        publisher,
        messageType: VipNotification,
        saturated,
        pacer,
      });
      relay.start();
      const done = drained(relay);
      await store.outbox.record(recent(1));
      await done;
      assert.equal(publisher.calls.length, 1);
      assert.deepEqual(
        pacer.sleeps.filter((s) => s.kind === 'defer'),
        [],
        'the first notification did not wait for a load check',
      );
    });

    void it('drains without deferring when asked to stop', async () => {
      const load = new Load();
      for (const n of [1, 2, 3, 4, 5]) await store.outbox.record(recent(n));
      relay = deferringRelay(load);
      relay.start();
      await load.checked(2);
      assert.equal(publisher.calls.length, 0);
      await relay.stop(5000);
      assert.equal(store.outbox.depth, 0);
      assert.equal(publisher.calls.length, 5);
    });
  });
});
