import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { connectAmqp, defineMessage, isMessagingError } from '../src/index.js';
import { transportContract } from './contract.js';
import { connectTest } from './support/amqp-fixture.js';
import { amqpFixture } from './support/amqp-fixture.js';
import { useBrokerAdmin } from './support/broker.js';
import { deferred, eventually, sync, uniqueName, within } from './support/util.js';

const getAdmin = useBrokerAdmin();

transportContract('amqp', amqpFixture(getAdmin));

const Ping = Type.Object({ n: Type.Number() });

describe('AmqpTransport', () => {
  it('fails the first connect within its bound, with CONNECT_FAILED and the password masked', async () => {
    const started = Date.now();
    await assert.rejects(
      connectAmqp({
        url: 'amqp://user:s3cret-pw@127.0.0.1:1/',
        connectionName: 'nope',
        initialConnectTimeoutMs: 700,
      }),
      (err: unknown) => {
        assert.ok(isMessagingError(err, 'CONNECT_FAILED'));
        assert.doesNotMatch(err.message, /s3cret-pw/);
        assert.match(err.message, /127\.0\.0\.1:1/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
  });

  it('fails at once on refused credentials, without echoing the password', async () => {
    await assert.rejects(
      connectAmqp({
        url: 'amqp://guest:wrong-pw-123@127.0.0.1:5672/',
        connectionName: 'badpw',
        initialConnectTimeoutMs: 10_000,
      }),
      (err: unknown) => {
        assert.ok(isMessagingError(err, 'CONNECT_FAILED'));
        assert.doesNotMatch(err.message, /wrong-pw-123/);
        return true;
      },
    );
  });

  it('rejects a malformed URL with INVALID_URL', async () => {
    await assert.rejects(connectAmqp({ url: 'http://x:pw@host/', connectionName: 'x' }), (err: unknown) =>
      isMessagingError(err, 'INVALID_URL'),
    );
  });

  it('recovers a consumer whose queue was deleted under it (broker cancel)', async () => {
    const queue = uniqueName('cancelled');
    const t = await connectTest();
    try {
      const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue } });
      const got = deferred<number>();
      const sub = await t.subscribeToQueue(
        type,
        sync((v) => {
          got.resolve(v.n);
        }),
        { consumerName: 'cancelled' },
      );
      await getAdmin().deleteQueues(queue);
      // Nothing may re-create the queue before the cancel arrives: RabbitMQ 3.10 does not cancel a consumer
      // of a quorum queue deleted and re-declared at once (it stays attached to a ghost). Classic by default.
      await eventually(() => (sub.consuming ? undefined : true), 20_000, 'the broker cancel');
      await eventually(
        () => (sub.consuming ? true : undefined),
        20_000,
        'the consumer to re-declare and re-attach',
      );
      assert.equal(await getAdmin().queueExists(queue), true);
      await t.createPublisher().publish(type, { n: 7 });
      assert.equal(await within(got.promise, 20_000, 'the delivery'), 7);
    } finally {
      await t.close();
      await getAdmin().deleteQueues(queue, `${queue}.retry`, `${queue}.dlq`);
    }
  });
});
