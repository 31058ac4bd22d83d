// OpenTelemetry across two processes and the real broker: one VIP read is one trace (the read, the outbox
// record, the relay's publish, the vipservice's processing and its commit), exported over OTLP/HTTP to a
// receiver the test runs, and the log lines of both services carry that trace's ids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort, plainChannel, startOtlpReceiver, startService } from '@goblog/testkit';
import type { OtlpReceiver, ReceivedSpan, RunningService } from '@goblog/testkit';
import { isolate } from './support/isolation.ts';
import type { Isolation } from './support/isolation.ts';
import { jsonLine, notificationsOf } from './support/observe.ts';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

describe('OpenTelemetry traces of a VIP read', () => {
  let iso: Isolation;
  let receiver: OtlpReceiver;
  let accountservice: RunningService;
  let vipservice: RunningService;
  const started: RunningService[] = [];

  before(async () => {
    iso = await isolate('otel');
    receiver = await startOtlpReceiver();
    const env = {
      ...iso.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'debug',
    };
    const [accountPort, vipPort] = await Promise.all([freePort(), freePort()]);
    vipservice = await startService('vipservice', { port: vipPort, env });
    started.push(vipservice);
    accountservice = await startService('accountservice', { port: accountPort, env });
    started.push(accountservice);
  });

  after(async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => s.kill())));
    await receiver.close();
    await iso.cleanup();
  });

  it('one trace from GET /accounts/10000 to the offer commit, parented after the messaging conventions', async () => {
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const response = await fetch(`${accountservice.baseUrl}/accounts/10000`, {
      headers: { traceparent: `00-${traceId}-${clientSpan}-01` },
    });
    assert.equal(response.status, 200);

    const inTrace = (spans: readonly ReceivedSpan[]): ReceivedSpan[] =>
      spans.filter((s) => s.traceId === traceId);
    // Every span of the read, whichever exports first: the publish span ends at the broker's confirm, which
    // may come after the vipservice has already committed the offer and exported its spans.
    const expected: readonly (readonly [string, string])[] = [
      ['GET /accounts/:id', 'accountservice'],
      [`create ${iso.queue}`, 'accountservice'],
      [`publish ${iso.queue}`, 'accountservice'],
      [`process ${iso.queue}`, 'vipservice'],
      ['commit offer', 'vipservice'],
    ];
    const spans = inTrace(
      await receiver.waitForSpans((all) => {
        const mine = inTrace(all);
        return expected.every(([name, service]) =>
          mine.some((s) => s.name === name && s.service === service),
        );
      }, 20_000),
    );
    const one = (name: string, service: string): ReceivedSpan => {
      const found = spans.filter((s) => s.name === name && s.service === service);
      assert.equal(
        found.length,
        1,
        `one ${name} span of ${service} in: ${spans.map((s) => s.name).join(', ')}`,
      );
      return found[0] as ReceivedSpan;
    };
    const server = one('GET /accounts/:id', 'accountservice');
    const create = one(`create ${iso.queue}`, 'accountservice');
    const publish = one(`publish ${iso.queue}`, 'accountservice');
    const processing = one(`process ${iso.queue}`, 'vipservice');
    const commit = one('commit offer', 'vipservice');

    // The caller's trace continues; the message's creation context parents both its publish and its processing.
    assert.equal(server.parentSpanId, clientSpan);
    assert.equal(server.kind, SERVER);
    assert.equal(server.attributes['http.route'], '/accounts/:id');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(create.parentSpanId, server.spanId);
    assert.equal(publish.parentSpanId, create.spanId);
    assert.equal(processing.parentSpanId, create.spanId);
    assert.equal(commit.parentSpanId, processing.spanId);

    // The messaging attributes: destination, message id, operation; the same message id all along.
    for (const [span, kind, operation] of [
      [create, PRODUCER, 'create'],
      [publish, PRODUCER, 'send'],
      [processing, CONSUMER, 'process'],
    ] as const) {
      assert.equal(span.kind, kind, span.name);
      assert.equal(span.attributes['messaging.system'], 'rabbitmq', span.name);
      assert.equal(span.attributes['messaging.operation.type'], operation, span.name);
      assert.equal(span.attributes['messaging.destination.name'], iso.queue, span.name);
    }
    const messageId = create.attributes['messaging.message.id'];
    assert.equal(typeof messageId, 'string');
    assert.equal(publish.attributes['messaging.message.id'], messageId);
    assert.equal(processing.attributes['messaging.message.id'], messageId);
    // In order: recorded, then published (the relay is woken by the commit, so its publish may start before
    // the create span has ended), then processed (never before its publish began).
    assert.ok(publish.startNs >= create.startNs && processing.startNs >= publish.startNs);
    assert.equal(typeof publish.attributes['goblog.message.age_ms'], 'number');

    // The log join: both services' lines for this read carry its trace and the span they were written in.
    const recorded = jsonLine(
      await accountservice.waitForLine((l) => l.includes('VIP notification recorded') && l.includes(traceId)),
    );
    assert.equal(recorded?.trace_id, traceId);
    assert.equal(recorded.span_id, create.spanId);
    const got = jsonLine(
      await vipservice.waitForLine((l) => l.includes('Got a message:') && l.includes(String(messageId))),
    );
    assert.equal(got?.trace_id, traceId);
    assert.equal(got.span_id, processing.spanId);
  });

  it("a message without a traceparent (the Go original's) is handled in a trace of its own", async () => {
    const before = await notificationsOf(vipservice.baseUrl, '10042');
    const { connection, channel } = await plainChannel();
    try {
      // As the Go accountservice sends it: no message_id, no headers, Go's time.String() form.
      channel.sendToQueue(
        iso.queue,
        Buffer.from(
          JSON.stringify({ accountId: '10042', readAt: '2017-02-15 20:06:27.033757223 +0000 UTC' }),
        ),
        { contentType: 'application/json' },
      );
      await channel.close();
    } finally {
      await connection.close();
    }
    const spans = await receiver.waitForSpans((all) =>
      all.some((s) => s.name === `process ${iso.queue}` && s.parentSpanId === undefined),
    );
    const root = spans.find((s) => s.name === `process ${iso.queue}` && s.parentSpanId === undefined);
    assert.ok(root);
    assert.equal(root.attributes['messaging.message.id'], undefined);
    assert.ok(spans.some((s) => s.name === 'commit offer' && s.parentSpanId === root.spanId));
    assert.equal(await notificationsOf(vipservice.baseUrl, '10042'), before + 1);
    const line = jsonLine(await vipservice.waitForLine((l) => l.includes(root.traceId)));
    assert.equal(line?.span_id, root.spanId);
  });

  it('the exporter delivered over OTLP/HTTP to the receiver', () => {
    assert.ok(receiver.requests > 0);
    assert.ok(receiver.spans.every((s) => s.service === 'accountservice' || s.service === 'vipservice'));
  });
});
