// Declaring a queue that already exists with other flags or arguments: against the real broker, a queue that
// loses messages is refused with DECLARE_FAILED naming each culprit; a harmless difference is adopted with one
// warning naming every difference. Scripted channels cover what the broker does not show on demand.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { ChannelModel, Options } from 'amqplib';
import { Type } from 'typebox';
import { Declarer } from '../src/amqp/declare.js';
import { COMPARED_KEYS } from '../src/amqp/inequivalent-arg.js';
import { defineMessage, isMessagingError, type MessagingError, type QueueType } from '../src/index.js';
import { connectTest } from './support/amqp-fixture.js';
import { useBrokerAdmin } from './support/broker.js';
import { captureLogger } from './support/log.js';
import { deferred, must, sync, uniqueName, within } from './support/util.js';

const T = 20_000;
const Ping = Type.Object({ n: Type.Number() });

function pingType(queue: string, queueType?: QueueType) {
  return defineMessage({
    name: 'Ping',
    schema: Ping,
    destination: queueType === undefined ? { kind: 'queue', queue } : { kind: 'queue', queue, queueType },
  });
}

const getAdmin = useBrokerAdmin();

/** A queue as another client (an operator, an older version) declared it before us. */
async function existing(queue: string, options: Options.AssertQueue): Promise<void> {
  await getAdmin().withChannel((ch) => ch.assertQueue(queue, options));
}

async function withQueue(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = uniqueName('declare');
  try {
    await body(queue);
  } finally {
    await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
  }
}

/** How declaring `queue` as a work queue fails (the publisher's declaration and the consumer's), naming `refused`. */
async function refusals(queue: string, refused = queue): Promise<MessagingError[]> {
  const t = await connectTest();
  try {
    const type = pingType(queue);
    const errors: MessagingError[] = [];
    for (const attempt of [
      () => t.createPublisher().declare(type),
      () =>
        t
          .subscribeToQueue(
            type,
            sync(() => undefined),
            { consumerName: 'refused' },
          )
          .then(() => undefined),
    ]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isMessagingError(err, 'DECLARE_FAILED'), `expected DECLARE_FAILED, got ${String(err)}`);
      assert.equal(err.message.split('\n').length, 1);
      assert.ok(err.message.includes(`queue '${refused}'`), err.message);
      assert.match(err.message, /delete_queue/);
      errors.push(err);
    }
    return errors;
  } finally {
    await t.close();
  }
}

const warningsFor = (log: ReturnType<typeof captureLogger>, queue: string) =>
  log.lines.filter((l) => l.level === 'warn' && l.obj.queue === queue && /other arguments/.test(l.msg));

/** Declares `queue` as a work queue, then consumes a message published to it. */
async function adoptAndUse(queue: string, queueType?: QueueType): Promise<ReturnType<typeof captureLogger>> {
  const log = captureLogger();
  const t = await connectTest({ logger: log });
  try {
    const type = pingType(queue, queueType);
    const got = deferred<number>();
    await t.subscribeToQueue(
      type,
      sync((v) => {
        got.resolve(v.n);
      }),
      { consumerName: 'adopter' },
    );
    await t.createPublisher().publish(type, { n: 7 });
    assert.equal(await within(got.promise, T, 'the delivery'), 7);
    return log;
  } finally {
    await t.close();
  }
}

describe('Declaring a queue that exists with arguments that lose messages', () => {
  it('refuses a queue that is not durable', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: false });
      for (const err of await refusals(queue)) assert.match(err.message, /durable = false/);
    });
  });

  it('refuses a queue with a message TTL', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: true, arguments: { 'x-message-ttl': 1000 } });
      for (const err of await refusals(queue)) assert.match(err.message, /x-message-ttl = 1000/);
    });
  });

  it('refuses a queue with a max length that drops the oldest messages (the default overflow)', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: true, arguments: { 'x-max-length': 10 } });
      for (const err of await refusals(queue))
        assert.match(err.message, /x-max-length = 10 \(overflow drop-head/);
    });
  });

  it('refuses a queue that expires when unused', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: true, arguments: { 'x-expires': 3_600_000 } });
      for (const err of await refusals(queue)) assert.match(err.message, /x-expires = 3600000/);
    });
  });

  it('names every argument that loses messages, not only the first the broker reports', async () => {
    await withQueue(async (queue) => {
      await existing(queue, {
        durable: true,
        arguments: { 'x-message-ttl': 1000, 'x-max-length-bytes': 5_000_000_000, 'x-queue-mode': 'lazy' },
      });
      for (const err of await refusals(queue)) {
        assert.match(err.message, /x-message-ttl = 1000/);
        assert.match(err.message, /x-max-length-bytes = 5000000000/);
        assert.doesNotMatch(err.message, /x-queue-mode/);
      }
    });
  });

  it('refuses a quorum queue that drops a message past its delivery limit (no dead-letter exchange)', async () => {
    await withQueue(async (queue) => {
      await existing(queue, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 },
      });
      for (const err of await refusals(queue)) assert.match(err.message, /x-delivery-limit = 5/);
    });
  });

  it('refuses a delay queue whose expired messages do not go back to the work queue', async () => {
    await withQueue(async (queue) => {
      await existing(`${queue}.retry`, { durable: true });
      for (const err of await refusals(queue, `${queue}.retry`)) {
        assert.match(err.message, /x-dead-letter-exchange = none/);
      }
    });
  });

  it('leaves the refused queue as it was', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: true, arguments: { 'x-message-ttl': 1000 } });
      await refusals(queue);
      // Equivalent to what was there, so the queue was neither changed nor replaced.
      await existing(queue, { durable: true, arguments: { 'x-message-ttl': 1000 } });
    });
  });
});

describe('Declaring a queue that exists with harmless differences', () => {
  it('adopts a quorum queue where a classic one is declared, naming every difference once', async () => {
    await withQueue(async (queue) => {
      await existing(queue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-delivery-limit': 20,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': `${queue}.dlq`,
        },
      });
      const log = await adoptAndUse(queue);
      const warnings = warningsFor(log, queue);
      assert.equal(warnings.length, 1);
      const err = String(must(warnings[0]).obj.err);
      assert.match(err, /x-queue-type = 'quorum' \(ours: none\)/);
      assert.match(err, /x-delivery-limit = 20 \(ours: none\)/);
      assert.match(err, /x-dead-letter-exchange = '' \(ours: none\)/);
      assert.match(err, /x-dead-letter-routing-key = '[^']+\.dlq' \(ours: none\)/);
    });
  });

  it('adopts a classic queue where a quorum one is declared', async () => {
    await withQueue(async (queue) => {
      await existing(queue, { durable: true });
      const log = await adoptAndUse(queue, 'quorum');
      const warnings = warningsFor(log, queue);
      assert.equal(warnings.length, 1);
      assert.match(String(must(warnings[0]).obj.err), /x-queue-type = none \(ours: 'quorum'\)/);
    });
  });

  it('adopts a queue with a max length that refuses publishes once full', async () => {
    await withQueue(async (queue) => {
      await existing(queue, {
        durable: true,
        arguments: { 'x-max-length': 10, 'x-overflow': 'reject-publish', 'x-max-priority': 3 },
      });
      const log = await adoptAndUse(queue);
      const warnings = warningsFor(log, queue);
      assert.equal(warnings.length, 1);
      const err = String(must(warnings[0]).obj.err);
      assert.match(err, /x-max-length = 10 \(ours: none\)/);
      assert.match(err, /x-overflow = 'reject-publish' \(ours: none\)/);
      assert.match(err, /x-max-priority = 3 \(ours: none\)/);
    });
  });
});

/** Channels that refuse each declaration with the 406 `answer(n)` gives for the n-th one (undefined: accept). */
class ScriptedModel {
  opened = 0;
  declared = 0;

  constructor(private readonly answer: (n: number) => Error | undefined) {}

  createChannel(): Promise<EventEmitter> {
    this.opened++;
    const ch = new EventEmitter();
    let open = true;
    Object.assign(ch, {
      assertQueue: (queue: string) => {
        if (!open) return Promise.reject(new Error('Channel closed'));
        const err = this.answer(++this.declared);
        if (err === undefined) return Promise.resolve({ queue });
        open = false;
        ch.emit('close');
        return Promise.reject(err);
      },
      close: () => Promise.resolve(),
    });
    return Promise.resolve(ch);
  }

  asModel(): ChannelModel {
    return this as unknown as ChannelModel;
  }
}

function brokerError(code: number, text: string): Error {
  return Object.assign(new Error(`Operation failed: QueueDeclare; ${code} (${text})`), { code });
}

/** As amqplib reports the broker's refusal of a re-declaration. */
const inequivalent = (key: string, current: string): Error =>
  Object.assign(
    new Error(
      `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg '${key}' for queue 'q' in vhost '/': received none but current is ${current}"`,
    ),
    { code: 406 },
  );

describe('Declarer (scripted broker)', () => {
  it('fails on any other refusal as it is, without probing', async () => {
    const model = new ScriptedModel(() => brokerError(405, 'RESOURCE-LOCKED'));
    const d = new Declarer(model.asModel(), () => assert.fail('not adopted'));
    await assert.rejects(d.queue('q', { durable: true }), /405/);
    assert.equal(model.declared, 1);
  });

  it('gives up with DECLARE_FAILED when the broker keeps naming the same argument', async () => {
    const model = new ScriptedModel(() => inequivalent('x-message-ttl', "the value '1000' of type 'short'"));
    const d = new Declarer(model.asModel(), () => assert.fail('not adopted'));
    await assert.rejects(d.queue('q', { durable: true }), (err: unknown) =>
      isMessagingError(err, 'DECLARE_FAILED'),
    );
    assert.equal(model.declared, 2);
  });

  it('uses at most one channel per compared key, however many differences the broker invents', async () => {
    const model = new ScriptedModel((n) => inequivalent(`x-made-up-${n}`, "the value 'v' of type 'longstr'"));
    const d = new Declarer(model.asModel(), () => assert.fail('not adopted'));
    await assert.rejects(d.queue('q', { durable: true }), (err: unknown) =>
      isMessagingError(err, 'DECLARE_FAILED'),
    );
    assert.equal(model.declared, COMPARED_KEYS.size + 1);
    assert.equal(model.opened, COMPARED_KEYS.size + 1);
  });

  it('fails safe with DECLARE_FAILED on an answer it cannot read (a truncated reply)', async () => {
    const model = new ScriptedModel(() =>
      Object.assign(
        new Error(
          `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'qqqqqqqq..."`,
        ),
        { code: 406 },
      ),
    );
    const d = new Declarer(model.asModel(), () => assert.fail('not adopted'));
    await assert.rejects(d.queue('q', { durable: true }), (err: unknown) =>
      isMessagingError(err, 'DECLARE_FAILED'),
    );
  });
});
