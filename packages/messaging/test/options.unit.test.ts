import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AMQP_DEFAULTS, normalizeAmqpOptions } from '../src/amqp/options.js';
import { CONSUMER_DEFAULTS, resolvePolicy } from '../src/consume/policy.js';
import { createMemoryTransport, isMessagingError } from '../src/index.js';
import { MEMORY_DEFAULTS, normalizeMemoryOptions } from '../src/memory/options.js';

const base = { url: 'amqp://guest:s3cret@127.0.0.1:5672/', connectionName: 'test' };

const invalid =
  (name: string) =>
  (err: unknown): boolean =>
    isMessagingError(err, 'INVALID_OPTIONS') && err.message.includes(name);

describe('normalizeAmqpOptions', () => {
  it('applies the defaults, sets the heartbeat and keeps the password only as a secret', () => {
    const n = normalizeAmqpOptions(base);
    assert.equal(n.settings.publishWaitMs, AMQP_DEFAULTS.publishWaitMs);
    assert.equal(n.settings.confirmWindow, AMQP_DEFAULTS.confirmWindow);
    assert.equal(n.settings.queueType, 'classic');
    assert.equal(n.initialConnectTimeoutMs, AMQP_DEFAULTS.initialConnectTimeoutMs);
    assert.deepEqual(n.reconnect, { initialMs: 200, maxMs: 5000 });
    assert.equal(new URL(n.endpoints[0]?.url ?? '').searchParams.get('heartbeat'), '10');
    assert.deepEqual(
      n.endpoints.map((e) => e.node),
      ['127.0.0.1:5672'],
    );
    assert.equal(n.settings.maskedUrl.includes('s3cret'), false);
    assert.deepEqual(n.settings.secrets, ['s3cret', 's3cret']);
  });

  it('keeps a heartbeat the URL sets', () => {
    const n = normalizeAmqpOptions({ ...base, url: 'amqp://h/?heartbeat=3', heartbeatSeconds: 30 });
    assert.equal(new URL(n.endpoints[0]?.url ?? '').searchParams.get('heartbeat'), '3');
  });

  it('takes a comma-separated list of nodes, in order, each password a secret and masked', () => {
    const url = 'amqp://u:pw1@127.0.0.1:5681/, amqp://u:pw2@127.0.0.1:5682/,amqps://u:pw3@node3/';
    const n = normalizeAmqpOptions({ ...base, url });
    assert.deepEqual(
      n.endpoints.map((e) => e.node),
      ['127.0.0.1:5681', '127.0.0.1:5682', 'node3:5671'],
    );
    for (const e of n.endpoints) assert.equal(new URL(e.url).searchParams.get('heartbeat'), '10');
    assert.deepEqual(n.settings.secrets, ['pw1', 'pw1', 'pw2', 'pw2', 'pw3', 'pw3']);
    assert.equal(/pw\d/.test(n.settings.maskedUrl), false);
    assert.equal(n.settings.maskedUrl.split(',').length, 3);
  });

  it('refuses a list with an empty or bad entry, naming no password', () => {
    for (const url of [
      'amqp://u:s3cret@h/,',
      'amqp://u:s3cret@h/,,amqp://h2/',
      'amqp://u:s3cret@h/,http://h2/',
    ]) {
      assert.throws(
        () => normalizeAmqpOptions({ ...base, url }),
        (err: unknown) => isMessagingError(err, 'INVALID_URL') && !err.message.includes('s3cret'),
      );
    }
  });

  it('refuses a bad URL with INVALID_URL and never echoes its password', () => {
    for (const url of ['not a url', 'http://u:s3cret@h/', 'amqp://u:s3cret@/']) {
      assert.throws(
        () => normalizeAmqpOptions({ ...base, url }),
        (err: unknown) => isMessagingError(err, 'INVALID_URL') && !err.message.includes('s3cret'),
      );
    }
  });

  it('refuses every number out of range with INVALID_OPTIONS naming it', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['publishWaitMs', { publishWaitMs: 0 }],
      ['confirmWindow', { confirmWindow: 1.5 }],
      ['confirmTimeoutMs', { confirmTimeoutMs: Number.NaN }],
      ['maxWaitingPublishes', { maxWaitingPublishes: -1 }],
      ['deliveryLimit', { deliveryLimit: 0 }],
      ['reconnectDelayMs.max', { reconnectDelayMs: { initial: 500, max: 100 } }],
      ['queueType', { queueType: 'stream' }],
    ];
    for (const [name, extra] of cases) {
      assert.throws(() => normalizeAmqpOptions({ ...base, ...extra }), invalid(name), name);
    }
  });

  it('names every option out of range in one error', () => {
    assert.throws(
      () =>
        normalizeAmqpOptions({ ...base, publishWaitMs: 0, confirmWindow: -1, queueType: 'stream' as never }),
      (err: unknown) =>
        ['publishWaitMs', 'confirmWindow', 'queueType'].every((name) => invalid(name)(err)) &&
        !(err as Error).message.includes('s3cret'),
    );
  });
});

describe('resolvePolicy', () => {
  it('applies the defaults, and concurrency never above prefetch', () => {
    const p = resolvePolicy({ consumerName: 'c', concurrency: 500 });
    assert.equal(p.prefetch, CONSUMER_DEFAULTS.prefetch);
    assert.equal(p.concurrency, CONSUMER_DEFAULTS.prefetch);
    assert.equal(p.immediateAttempts, CONSUMER_DEFAULTS.immediateAttempts);
  });

  it('refuses a missing name and numbers out of range with INVALID_OPTIONS naming them', () => {
    assert.throws(() => resolvePolicy({ consumerName: '' }), invalid('consumerName'));
    assert.throws(() => resolvePolicy({ consumerName: 'c', prefetch: 0 }), invalid('prefetch'));
    assert.throws(() => resolvePolicy({ consumerName: 'c', delayedRetries: -1 }), invalid('delayedRetries'));
    assert.throws(() => resolvePolicy({ consumerName: 'c', retryDelayMs: 0.5 }), invalid('retryDelayMs'));
  });

  it('names every bad option in one error', () => {
    const bad = { consumerName: '', prefetch: 0, retryDelayMs: -5 };
    assert.throws(
      () => resolvePolicy(bad),
      (err: unknown) => ['consumerName', 'prefetch', 'retryDelayMs'].every((name) => invalid(name)(err)),
    );
  });
});

describe('normalizeMemoryOptions', () => {
  it('applies the defaults', () => {
    assert.deepEqual(normalizeMemoryOptions({}), MEMORY_DEFAULTS);
  });

  it('refuses every number out of range with INVALID_OPTIONS naming it, at createMemoryTransport', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['closeTimeoutMs', { closeTimeoutMs: Number.NaN }],
      ['waitTimeoutMs', { waitTimeoutMs: 2.5 }],
    ];
    for (const [name, extra] of cases) {
      assert.throws(() => createMemoryTransport(extra), invalid(name), name);
    }
  });
});
