// Poison that must be parked once, or given up on after bounded attempts: never a loop, never a flood of
// copies, and the valid messages behind it keep flowing. Against the real broker, sent by a plain client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Type } from 'typebox';
import { defineMessage, HeaderNames, type Logger } from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { AMQP_URL, useBrokerAdmin } from './support/broker.js';
import { basicProperties, longStrValue, rawTable } from './support/amqp-bytes.js';
import type { LogLine } from './support/log.js';
import { RawPublisher } from './support/raw-publish.js';
import { Counter, deferred, sync, uniqueName, within } from './support/util.js';

const run = promisify(execFile);
const T = 30_000;
const Note = Type.Object({ n: Type.Integer() });
const vhost = decodeURIComponent(new URL(AMQP_URL).pathname.slice(1)) || '/';

const getAdmin = useBrokerAdmin();

/** A logger whose lines a test can count and await, by message text. */
function watchedLogger(): Logger & { lines: LogLine[]; counter(msg: string): Counter } {
  const lines: LogLine[] = [];
  const counters = new Map<string, Counter>();
  const counter = (msg: string): Counter => {
    let c = counters.get(msg);
    if (c === undefined) {
      c = new Counter();
      for (const l of lines) if (l.msg === msg) c.hit();
      counters.set(msg, c);
    }
    return c;
  };
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg = ''): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
      counters.get(msg)?.hit();
    };
  return { lines, counter, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A consumer of `queue` counting the valid notes it handled. */
async function consume(queue: string) {
  const log = watchedLogger();
  const t = await connectTest({ logger: log });
  const type = defineMessage({ name: 'Note', schema: Note, destination: { kind: 'queue', queue } });
  const handled: number[] = [];
  const got = new Counter();
  await t.subscribeToQueue(
    type,
    sync((v) => {
      handled.push(v.n);
      got.hit();
    }),
    { consumerName: 'poison-test', prefetch: 10 },
  );
  return { t, log, handled, got };
}

async function cleanup(queue: string): Promise<void> {
  await getAdmin().deleteQueues(queue, `${queue}.dlq`, `${queue}.retry`);
}

describe('AmqpConsumer and poison messages', () => {
  it('parks a poison message that carries a CC header once, without routing copies back to its queue', async () => {
    const queue = uniqueName('cc');
    const c = await consume(queue);
    try {
      const parked = c.log.counter('message dead-lettered');
      await getAdmin().sendRaw(queue, Buffer.from('not json'), { headers: { CC: [queue], BCC: [queue] } });
      await parked.reach(1, T, 'the poison parked');
      // Anything routed back to the queue by the parked copy would be delivered before this one.
      await getAdmin().sendRaw(queue, Buffer.from('{"n":1}'));
      await c.got.reach(1, T, 'the valid message after it');
      assert.equal(parked.count, 1, 'parked exactly once');
      const dlq = await getAdmin().drain(`${queue}.dlq`);
      assert.equal(dlq.length, 1);
      const headers = dlq[0]?.properties.headers ?? {};
      assert.equal(headers.CC, undefined);
      assert.equal(headers.BCC, undefined);
      assert.equal(headers[HeaderNames.deathReason], 'invalid-message');
    } finally {
      await c.t.close();
      await cleanup(queue);
    }
  });

  it('gives up on a poison message the dead-letter queue refuses, after bounded attempts, and goes on', async () => {
    const queue = uniqueName('dlq-full');
    const policy = uniqueName('policy');
    const c = await consume(queue);
    try {
      await run('rabbitmqctl', [
        'set_policy',
        '-p',
        vhost,
        '--apply-to',
        'queues',
        policy,
        `^${queue.replace(/\./g, '\\.')}\\.dlq$`,
        '{"max-length":1,"overflow":"reject-publish"}',
      ]);
      const parked = c.log.counter('message dead-lettered');
      const dropped = c.log.counter('message dropped: the dead-letter queue refused it');
      await getAdmin().sendRaw(queue, Buffer.from('poison 1'));
      await parked.reach(1, T, 'the first poison parked');
      await getAdmin().sendRaw(queue, Buffer.from('poison 2'));
      await getAdmin().sendRaw(queue, Buffer.from('{"n":2}'));
      await c.got.reach(1, T, 'the valid message behind the poison');
      await dropped.reach(1, T, 'the second poison given up on');
      const attempts = c.log.lines.filter((l) => l.msg === 'could not move message; trying again');
      assert.equal(attempts.length, 5, 'five attempts to park it, no more');
      assert.deepEqual(
        attempts.map((l) => l.obj.code),
        ['NACKED', 'NACKED', 'NACKED', 'NACKED', 'NACKED'],
      );
      assert.equal(attempts.filter((l) => l.level === 'warn').length, 1, 'one warning, the rest at debug');
      assert.equal(await getAdmin().messageCount(`${queue}.dlq`), 1);
      assert.equal(await getAdmin().messageCount(queue), 0, 'nothing requeued');
    } finally {
      await run('rabbitmqctl', ['clear_policy', '-p', vhost, policy]).catch(() => undefined);
      await c.t.close();
      await cleanup(queue);
    }
  });

  it('declares the dead-letter queue again when it was deleted under the consumer, and parks there', async () => {
    const queue = uniqueName('dlq-gone');
    const c = await consume(queue);
    try {
      await getAdmin().deleteQueues(`${queue}.dlq`);
      const parked = c.log.counter('message dead-lettered');
      const done = deferred();
      void parked.reach(1, T, 'the poison parked').then(() => {
        done.resolve();
      });
      await getAdmin().sendRaw(queue, Buffer.from('poison'));
      await within(done.promise, T, 'the poison parked in the re-declared queue');
      const attempts = c.log.lines.filter((l) => l.msg === 'could not move message; trying again');
      assert.deepEqual(
        attempts.map((l) => l.obj.code),
        ['UNROUTABLE'],
      );
      assert.equal(await getAdmin().messageCount(`${queue}.dlq`), 1);
    } finally {
      await c.t.close();
      await cleanup(queue);
    }
  });

  it('parks a poison whose message id and a header name cannot be encoded again, naming what it left out', async () => {
    const queue = uniqueName('unencodable');
    const c = await consume(queue);
    const raw = await RawPublisher.open();
    try {
      const parked = c.log.counter('message dead-lettered');
      // 0xff is not UTF-8: each byte decodes to U+FFFD (three bytes), past the 255 of a short string.
      const invalid = Buffer.alloc(100, 0xff);
      await raw.publish({
        routingKey: queue,
        body: Buffer.from('not json'),
        properties: basicProperties({
          messageId: invalid,
          appId: 'plain-client',
          deliveryMode: 2,
          headers: rawTable([
            [invalid, longStrValue('lost')],
            ['kept', longStrValue('yes')],
          ]),
        }),
      });
      await parked.reach(1, T, 'the poison parked');
      const [m] = await getAdmin().drain(`${queue}.dlq`);
      assert.ok(m, 'in the dead-letter queue');
      assert.equal(m.content.toString(), 'not json');
      const headers = m.properties.headers ?? {};
      assert.equal(headers.kept, 'yes');
      assert.equal(headers[HeaderNames.deathReason], 'invalid-message');
      const dropped = String(headers[HeaderNames.droppedProperties]).split(',');
      assert.equal(dropped[0], 'messageId');
      assert.equal(dropped.length, 2);
      assert.match(dropped[1] ?? '', /^headers\./);
      assert.equal(m.properties.appId, 'plain-client');
      assert.equal(m.properties.messageId, undefined);
    } finally {
      await raw.close();
      await c.t.close();
      await cleanup(queue);
    }
  });
});
