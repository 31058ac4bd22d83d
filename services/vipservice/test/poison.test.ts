import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  offerInStore,
  readyIn,
  sendRaw,
  startVipservice,
  takeDeadLetters,
  waitForNotifications,
  waitForReady,
} from './support/vip.js';
import { useVipProcesses } from './support/processes.js';

const BAD = [
  'not json at all',
  '',
  '{"accountId":"10000"',
  '{"accountId":"10000"}',
  '{"readAt":"2024-05-01T10:00:00Z"}',
  '{"accountId":10000,"readAt":"2024-05-01T10:00:00Z"}',
  '{"accountId":"ten","readAt":"2024-05-01T10:00:00Z"}',
  '{"accountId":"10000","readAt":"yesterday"}',
  '{"accountId":"10000","readAt":"2017-02-30 20:06:27 +0000 UTC"}',
  'null',
];

void describe('poison messages on vip_queue', () => {
  const procs = useVipProcesses();

  void it('go to <queue>.dlq with their reason, every good one is counted, and the queue drains', async () => {
    const queue = procs.queue();
    const dataDir = procs.dataDir('poison');
    const service = await startVipservice({ dataDir, queue });
    procs.track(service);

    const sent = Date.now();
    const messages = BAD.flatMap((body, i) => [
      { body, options: { messageId: `bad-${i}` } },
      {
        body: `{"accountId":"10001","readAt":"2024-05-01T10:00:0${i}Z"}`,
        options: { messageId: `good-${i}` },
      },
    ]);
    await sendRaw(queue, messages);
    await waitForReady(`${queue}.dlq`, BAD.length);
    await waitForNotifications(service, '10001', BAD.length);
    assert.equal((await fetch(`${service.baseUrl}/health`)).status, 200);
    assert.equal(await service.stop(), 0);

    // Drained: nothing waits in the queue or its delay queue, so nothing loops.
    assert.equal(await readyIn(queue), 0);
    assert.equal(await readyIn(`${queue}.retry`), 0);
    const parked = await takeDeadLetters(queue);
    assert.deepEqual(parked.map((m) => m.body).sort(), [...BAD].sort());
    const parkedBy = Date.now();
    for (const m of parked) {
      assert.equal(m.headers['x-death-reason'], 'invalid-message', m.body);
      assert.equal(typeof m.headers['x-error'], 'string');
      assert.equal(m.headers['x-original-queue'], queue, m.body);
      // When it was parked, ISO 8601 (the README's header): a moment of this test, not any string.
      const at = m.headers['x-dead-lettered-at'];
      assert.ok(typeof at === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(at), String(at));
      const parkedAt = Date.parse(at);
      assert.ok(parkedAt >= sent - 1000 && parkedAt <= parkedBy, `x-dead-lettered-at ${at} is not this run`);
    }
    const offer = await offerInStore(dataDir, '10001');
    assert.equal(offer?.notifications, BAD.length);
    assert.equal(offer.lastReadAt, '2024-05-01T10:00:09Z');
  });
});
