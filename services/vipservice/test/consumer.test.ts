import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryTransport,
  HeaderNames,
  type MemoryTransport,
  type Subscription,
} from '@goblog/messaging';
import { createNotificationHandler } from '../src/notification-handler.js';
import { LOGGED_BODY_BYTES } from '../src/logged-body.js';
import type { OfferRepository } from '../src/domain/offer.js';
import { vipNotificationType } from '../src/messages.js';
import { OfferStore } from '../src/store/offer-store.js';
import { captureLogger } from '@goblog/testkit';

const QUEUE = 'vip_queue.unit';
const type = vipNotificationType(QUEUE);
const GO_BODY = '{"accountId":"10000","readAt":"2017-02-15 20:06:27.033757223 +0000 UTC"}';

void describe('the vip_queue consumer', () => {
  let dir: string;
  let store: OfferStore;
  let transport: MemoryTransport;
  let subscription: Subscription | undefined;
  let logger: ReturnType<typeof captureLogger>;

  const consume = async (offers: OfferRepository = store): Promise<void> => {
    subscription = await transport.subscribeToQueue(type, createNotificationHandler({ offers, logger }), {
      consumerName: 'vipservice',
      prefetch: 20,
      retryDelayMs: 1,
    });
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vipservice-consumer-'));
    store = OfferStore.open({ dataDir: dir });
    transport = createMemoryTransport({ appId: 'accountservice' });
    logger = captureLogger();
  });
  afterEach(async () => {
    await subscription?.close();
    await transport.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('logs "Got a message: <body>" and creates the offer on the first notification', async () => {
    await consume();
    await transport
      .createPublisher()
      .publish(type, { accountId: '10000', readAt: '2024-05-01T10:00:00.123Z' });
    await transport.waitForAcked(QUEUE, 1);

    const got = logger.lines.filter((l) => l.msg.startsWith('Got a message: '));
    assert.deepEqual(
      got.map((l) => l.msg),
      ['Got a message: {"accountId":"10000","readAt":"2024-05-01T10:00:00.123Z"}'],
    );
    const offer = store.get('10000');
    assert.ok(offer);
    assert.equal(offer.notifications, 1);
    assert.equal(offer.lastReadAt, '2024-05-01T10:00:00.123Z');
    assert.match(offer.offerId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  void it("accepts the Go original's notification: no message_id, readAt in time.String() form", async () => {
    await consume();
    transport.inject({ queue: QUEUE }, GO_BODY, { contentType: 'application/json' });
    await transport.waitForAcked(QUEUE, 1);
    assert.equal(store.get('10000')?.lastReadAt, '2017-02-15T20:06:27.033757223Z');
    assert.ok(logger.lines.some((l) => l.msg === `Got a message: ${GO_BODY}`));
  });

  void it('logs a big schema-valid body once, as a bounded head with its full size', async () => {
    await consume();
    // Well over the log bound, well within the size the message type accepts.
    const pad = 'x'.repeat(16 * LOGGED_BODY_BYTES);
    const body = JSON.stringify({ accountId: '10000', readAt: '2024-05-01T10:00:00Z', pad });
    transport.inject({ queue: QUEUE }, body, { contentType: 'application/json' });
    await transport.waitForAcked(QUEUE, 1);
    assert.equal(store.get('10000')?.notifications, 1);

    const lines = logger.lines.map((l) => JSON.stringify(l));
    const got = logger.lines.filter((l) => l.msg.startsWith('Got a message: '));
    assert.equal(got.length, 1);
    const msg = got[0]?.msg ?? '';
    assert.ok(
      msg.startsWith('Got a message: {"accountId":"10000","readAt":"2024-05-01T10:00:00Z","pad":"xx'),
    );
    assert.ok(msg.endsWith(`… (${Buffer.byteLength(body)} bytes)`), msg.slice(-80));
    assert.ok(msg.length < 'Got a message: '.length + 2 * LOGGED_BODY_BYTES, `${msg.length} chars`);
    // Nowhere else either: no other field and no other line carries the body.
    for (const line of lines) assert.ok(line.length < 4 * LOGGED_BODY_BYTES, `${line.length} chars`);
  });

  void it('counts a redelivered or duplicated message once (same message_id, or same body without one)', async () => {
    await consume();
    const body = '{"accountId":"10000","readAt":"2024-05-01T10:00:00Z"}';
    transport.inject({ queue: QUEUE }, body, { messageId: 'm-1' });
    transport.inject({ queue: QUEUE }, body, { messageId: 'm-1' });
    transport.inject({ queue: QUEUE }, body, { messageId: 'm-2' });
    transport.inject({ queue: QUEUE }, GO_BODY);
    transport.inject({ queue: QUEUE }, GO_BODY);
    await transport.waitForAcked(QUEUE, 5);
    assert.equal(store.get('10000')?.notifications, 3);
  });

  void it('parks garbage and schema failures in <queue>.dlq with the reason, and counts every good one', async () => {
    await consume();
    const bad = [
      'not json at all',
      '{"accountId":"10000"}',
      '{"accountId":10000,"readAt":"2024-05-01T10:00:00Z"}',
      '{"accountId":"10000","readAt":"yesterday"}',
      '[]',
    ];
    for (const [i, body] of bad.entries()) {
      transport.inject({ queue: QUEUE }, body, { messageId: `bad-${i}` });
      transport.inject({ queue: QUEUE }, `{"accountId":"10001","readAt":"2024-05-01T10:00:0${i}Z"}`, {
        messageId: `good-${i}`,
      });
    }
    const parked = await transport.waitForDeadLettered(QUEUE, bad.length);
    await transport.waitForIdle();
    assert.deepEqual(
      parked.map((m) => m.body.toString()),
      bad,
    );
    for (const m of parked) assert.equal(m.headers[HeaderNames.deathReason], 'invalid-message');
    assert.equal(store.get('10001')?.notifications, bad.length);
    assert.equal(store.get('10001')?.lastReadAt, '2024-05-01T10:00:04Z');
  });

  void it('retries a failing store, then parks the message with reason handler-failed and goes on', async () => {
    let failing = true;
    const flaky: OfferRepository = {
      get: (id) => store.get(id),
      applyOnce: (key, id, change) =>
        failing ? Promise.reject(new Error('disk on fire')) : store.applyOnce(key, id, change),
    };
    await consume(flaky);
    transport.inject({ queue: QUEUE }, '{"accountId":"10000","readAt":"2024-05-01T10:00:00Z"}', {
      messageId: 'x',
    });
    const [parked] = await transport.waitForDeadLettered(QUEUE, 1);
    assert.ok(parked);
    assert.equal(parked.headers[HeaderNames.deathReason], 'handler-failed');
    assert.match(String(parked.headers[HeaderNames.error]), /disk on fire/);

    failing = false;
    transport.inject({ queue: QUEUE }, '{"accountId":"10000","readAt":"2024-05-01T10:00:01Z"}', {
      messageId: 'y',
    });
    await transport.waitForIdle();
    assert.equal(store.get('10000')?.notifications, 1);
  });
});
