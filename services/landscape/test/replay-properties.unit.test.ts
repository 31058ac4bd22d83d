// What a replayed copy carries: the original's body properties and message_id, a fresh try's headers, and
// our replay count; what a put-back copy carries: everything but the broker's delivery count and the
// distribution headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GetMessage } from 'amqplib';
import { putBackProperties, replayProperties } from '../src/dead-letters/republish.ts';
import { keyOf } from '../src/dead-letters/message-view.ts';

function parked(headers: Record<string, unknown>, messageId = 'id-1'): GetMessage {
  return {
    content: Buffer.from('{"accountId":"10000","readAt":"2024-01-01T00:00:00Z"}'),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: '',
      routingKey: 'vip_queue.dlq',
      messageCount: 0,
    },
    properties: {
      messageId,
      contentType: 'application/json',
      type: 'VipNotification',
      appId: 'accountservice',
      timestamp: 1_700_000_000_000,
      headers,
    },
  } as unknown as GetMessage;
}

describe('replayed and put-back copies', () => {
  it('a replay keeps message_id and properties, drops the failure record, counts the replay', () => {
    const props = replayProperties(
      parked({
        'x-death-reason': 'handler-failed',
        'x-error': 'Error: boom',
        'x-original-queue': 'vip_queue',
        'x-dead-lettered-at': '2024-01-01T00:00:00Z',
        'x-retry-count': 3,
        'x-delivery-count': 4,
        'x-replay-count': 1,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
    );
    assert.equal(props.messageId, 'id-1');
    assert.equal(props.type, 'VipNotification');
    assert.equal(props.appId, 'accountservice');
    assert.equal(props.timestamp, 1_700_000_000_000);
    assert.equal(props.persistent, true);
    assert.deepEqual(props.headers, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-replay-count': 2,
    });
  });

  it('a put-back copy is the same parked message, without the broker delivery count', () => {
    const props = putBackProperties(parked({ 'x-death-reason': 'invalid-message', 'x-delivery-count': 2 }));
    assert.deepEqual(props.headers, { 'x-death-reason': 'invalid-message' });
    assert.equal(props.messageId, 'id-1');
  });

  it('neither copy keeps a header the broker would route by, nor one it maintains', () => {
    const death = [{ queue: 'vip_queue', reason: 'delivery_limit', count: 1 }];
    const headers = { CC: ['vip_queue'], BCC: ['vip_queue'], 'x-death': death, 'x-first-death-queue': 'q' };
    assert.deepEqual(replayProperties(parked(headers)).headers, { 'x-replay-count': 1 });
    // A put-back copy keeps the dead-letter record the page shows, never the routing headers.
    assert.deepEqual(putBackProperties(parked(headers)).headers, {
      'x-death': death,
      'x-first-death-queue': 'q',
    });
  });

  it('a message is selected by its message_id, or by a digest of its body without one', () => {
    assert.equal(keyOf(parked({})), 'id-1');
    assert.match(keyOf(parked({}, '')), /^sha256:[0-9a-f]{32}$/);
  });
});
