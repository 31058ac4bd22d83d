// A message whose header nests arrays thousands deep, sent by a raw client through the real broker: amqplib's
// recursive decoder alone overflows the stack in the frame parser, drops the connection and gets the message
// redelivered for ever. With the decode guard the consumer handles it, and the next one, on one connection.
// First import: the package entry loads the decode guard before amqplib.
import { defineMessage, type ConnectionState, type MessageMeta } from '../src/index.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { decoderGuarded } from '../src/amqp/decode-guard.js';
import { connectTest } from './support/amqp-fixture.js';
import { basicProperties, nestedArrays, rawTable } from './support/amqp-bytes.js';
import { useBrokerAdmin } from './support/broker.js';
import { captureLogger } from './support/log.js';
import { RawPublisher } from './support/raw-publish.js';
import { Counter, must, uniqueName } from './support/util.js';

const T = 20_000;
const DEPTH = 10_000;

const getAdmin = useBrokerAdmin();

describe('A header nested far too deep', () => {
  it('is handled like any message, the next one too, and the connection is never lost', async () => {
    assert.equal(decoderGuarded(), true, 'the decode guard is loaded before amqplib');
    const queue = uniqueName('deep-header');
    const type = defineMessage({
      name: 'Ping',
      schema: Type.Object({ n: Type.Number() }),
      destination: { kind: 'queue', queue },
    });
    const log = captureLogger();
    const t = await connectTest({ logger: log });
    const states: ConnectionState[] = [];
    t.onStateChange((s) => states.push(s));
    const raw = await RawPublisher.open();
    try {
      const handled: { n: number; meta: MessageMeta }[] = [];
      const count = new Counter();
      await t.subscribeToQueue(
        type,
        (v, meta) => {
          handled.push({ n: v.n, meta });
          count.hit();
          return Promise.resolve();
        },
        { consumerName: 'deep-header' },
      );

      await raw.publish({
        routingKey: queue,
        properties: basicProperties({
          contentType: 'application/json',
          deliveryMode: 2,
          messageId: 'deep-1',
          headers: rawTable([['h', nestedArrays(DEPTH)]]),
        }),
        body: Buffer.from(JSON.stringify({ n: 1 })),
      });
      await t.createPublisher().publish(type, { n: 2 });
      await count.reach(2, T, 'both messages handled');

      assert.deepEqual(
        handled.map((h) => h.n),
        [1, 2],
      );
      const deep = must(handled[0]).meta;
      assert.equal(deep.messageId, 'deep-1');
      assert.equal(deep.redelivered, false);
      assert.deepEqual(states, [], 'the transport never left the connected state');
      assert.deepEqual(
        log.lines.filter((l) => /connection lost|connection error/.test(l.msg)),
        [],
      );
    } finally {
      await raw.close();
      await t.close();
      await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
    }
  });
});
