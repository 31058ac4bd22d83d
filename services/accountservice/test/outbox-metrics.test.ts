// The outbox relay's alerting metrics, each made to move by the event it names: a refused publish
// (outbox_publish_failures_total{code}), an entry that can never be published (the discard path,
// outbox_discarded_total), and the deferral under load (outbox_relay_deferring).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '@goblog/runtime';
import type { ServiceMetrics } from '@goblog/runtime';
import { MessagingError } from '@goblog/messaging';
import { AccountStore, OutboxMetrics, OutboxRelay, VipNotification } from '../src/index.js';
import type { OutboxRelayOptions, PendingNotification } from '../src/index.js';
import { capturePinoLogger, drained, tempDataDir } from './support/fixtures.js';
import { FakeConnection, ScriptedPublisher } from './support/scripted-publisher.js';
import { withTimeout } from '@goblog/testkit';

const note = (n: number, recordedAt = Date.now()): PendingNotification => ({
  messageId: `m-${n}`,
  body: { accountId: String(10000 + n), readAt: new Date(recordedAt).toISOString() },
  recordedAt,
});

void describe('the outbox metrics', () => {
  let cleanup: () => void;
  let store: AccountStore;
  let publisher: ScriptedPublisher;
  let metrics: ServiceMetrics;
  let outboxMetrics: OutboxMetrics;
  let relay: OutboxRelay | undefined;
  let log: ReturnType<typeof capturePinoLogger>;

  /** The sum of a sample over the label sets containing `labels`, as /metrics would show it. */
  const sample = async (name: string, labels = ''): Promise<number> => {
    let sum = 0;
    for (const line of (await metrics.registry.metrics()).split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (labels && !line.includes(labels)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  };
  const startRelay = (options: Partial<OutboxRelayOptions> = {}): OutboxRelay => {
    relay = new OutboxRelay({
      outbox: store.outbox,
      publisher,
      messageType: VipNotification,
      connection: new FakeConnection(),
      logger: log.logger,
      metrics: outboxMetrics,
      initialBackoffMs: 5,
      maxBackoffMs: 20,
      ...options,
    });
    relay.start();
    return relay;
  };

  beforeEach(() => {
    let dir: string;
    ({ dir, cleanup } = tempDataDir());
    store = AccountStore.open({ dataDir: dir });
    publisher = new ScriptedPublisher();
    metrics = createMetrics('accountservice');
    outboxMetrics = new OutboxMetrics(metrics.registry, store.outbox);
    log = capturePinoLogger();
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await store.close();
    cleanup();
  });

  void it('counts every refused publish by its error code, and nothing once they get through', async () => {
    publisher.mode = 'fail';
    const r = startRelay();
    await store.outbox.record(note(1));
    await publisher.waitForCalls(3);
    publisher.mode = 'auto';
    const done = drained(r);
    await done;
    const failedCalls = publisher.calls.length - 1;
    assert.equal(await sample('outbox_publish_failures_total', 'code="NOT_CONNECTED"'), failedCalls);
    assert.equal(await sample('outbox_publish_failures_total'), failedCalls);
    assert.equal(await sample('outbox_published_total'), 1);
    assert.equal(await sample('outbox_discarded_total'), 0);
  });

  void it('discards an entry that can never be published, counts it, says so, and delivers the rest', async () => {
    publisher.mode = 'hold';
    const r = startRelay();
    await Promise.all([1, 2, 3].map((n) => store.outbox.record(note(n))));
    const [first, damaged, third] = await publisher.waitForCalls(3);
    const done = drained(r);
    first?.confirm();
    damaged?.fail(new MessagingError('INVALID_MESSAGE', 'does not match the VipNotification schema'));
    third?.confirm();
    await done;

    assert.equal(store.outbox.depth, 0, 'the damaged entry left the outbox');
    assert.equal(publisher.calls.length, 3, 'and was not retried');
    assert.equal(await sample('outbox_discarded_total'), 1);
    assert.equal(await sample('outbox_published_total'), 2);
    assert.equal(await sample('outbox_publish_failures_total'), 0, 'a discard is not a publish failure');
    const discarded = log.lines.filter((l) => l.msg === 'discarding an unpublishable outbox entry');
    assert.deepEqual(
      discarded.map((l) => l.messageId),
      ['m-2'],
    );
  });

  /** The load signal a test sets; `checked(n)` resolves once the relay has asked for it n more times. */
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
    checked(more: number): Promise<void> {
      const n = this.#checks + more;
      return withTimeout(
        new Promise((resolve) => {
          this.#waiters.push({ n, resolve });
        }),
        5000,
        'the relay stopped asking for the load',
      );
    }
  }

  void it('reads 1 on outbox_relay_deferring while requests saturate the service, 0 once they ease', async () => {
    const load = new Load();
    const r = startRelay({ saturated: load.saturated, deferCheckMs: 5, maxDeferMs: 60_000 });
    assert.equal(await sample('outbox_relay_deferring'), 0, 'not deferring while there is nothing to send');
    // Recorded, then two load checks: the relay is in its deferral (each check that finds the entry and the
    // load sets the gauge before it returns to its timer).
    const twoChecks = load.checked(2);
    await store.outbox.record(note(1));
    await twoChecks;
    assert.equal(await sample('outbox_relay_deferring'), 1);
    assert.equal(publisher.calls.length, 0);

    const done = drained(r);
    load.value = false;
    await done;
    assert.equal(await sample('outbox_relay_deferring'), 0);
    assert.equal(publisher.calls.length, 1);
  });

  void it('drops outbox_relay_deferring to 0 when the relay stops while deferring', async () => {
    const load = new Load();
    const r = startRelay({ saturated: load.saturated, deferCheckMs: 5, maxDeferMs: 60_000 });
    const twoChecks = load.checked(2);
    await store.outbox.record(note(1));
    await twoChecks;
    assert.equal(await sample('outbox_relay_deferring'), 1);
    await r.stop();
    assert.equal(await sample('outbox_relay_deferring'), 0);
    assert.equal(store.outbox.depth, 1, 'stopped without a drain: the entry waits for the next start');
  });
});
