// Producer and consumer spans over the in-memory transport, exported by the real SDK (started as a service
// starts it) to an OTLP/HTTP receiver in this process: who is parent of whom, what stays on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { startTelemetry, tracingOn } from '@goblog/telemetry';
import type { Telemetry } from '@goblog/telemetry';
import { startOtlpReceiver } from '@goblog/testkit';
import type { OtlpReceiver, ReceivedSpan } from '@goblog/testkit';
import { Type } from 'typebox';
import { createMemoryTransport, defineMessage, MemoryBroker, tracedTransport } from '../src/index.js';
import type { MessageMeta, Transport } from '../src/index.js';
import { uniqueName } from './support/util.js';

const Ping = Type.Object({ n: Type.Number() });
const CREATION = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

void describe('messaging spans', () => {
  let receiver: OtlpReceiver;
  let telemetry: Telemetry | undefined;
  let transport: Transport;

  before(async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_BSP_SCHEDULE_DELAY = '20';
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
    Object.assign(process.env, env);
    telemetry = await startTelemetry({ name: 'messaging-test', instanceId: 'test:0' }, env);
    transport = tracedTransport(createMemoryTransport({ broker: new MemoryBroker() }));
  });

  after(async () => {
    await transport.close();
    await telemetry?.shutdown();
    await receiver.close();
  });

  /** Publishes one Ping (with `traceparent`, inside `inside` when given); resolves with its delivery's meta. */
  async function roundTrip(traceparent?: string, fail = false): Promise<MessageMeta> {
    const queue = uniqueName('tracing');
    const type = defineMessage({ name: 'Ping', schema: Ping, destination: { kind: 'queue', queue } });
    let attempts = 0;
    const handled = new Promise<MessageMeta>((resolve) => {
      void transport.subscribeToQueue(
        type,
        (_m, meta) => {
          attempts++;
          if (fail && attempts === 1) return Promise.reject(new Error('first attempt fails'));
          resolve(meta);
          return Promise.resolve();
        },
        { consumerName: queue, retryDelayMs: 10 },
      );
    });
    await transport
      .createPublisher()
      .publish(type, { n: 1 }, traceparent === undefined ? {} : { traceparent });
    return handled;
  }

  const spansOf = async (messageId: string, count: number): Promise<ReceivedSpan[]> =>
    (
      await receiver.waitForSpans(
        (all) => all.filter((s) => s.attributes['messaging.message.id'] === messageId).length >= count,
        5000,
      )
    ).filter((s) => s.attributes['messaging.message.id'] === messageId);

  void it('is on once started', () => {
    assert.ok(tracingOn());
  });

  void it('a message without a creation context carries its publish span, the parent of its process span', async () => {
    const meta = await roundTrip();
    const spans = await spansOf(meta.messageId ?? '', 2);
    const publish = spans.find((s) => s.name.startsWith('publish '));
    const processing = spans.find((s) => s.name.startsWith('process '));
    assert.ok(publish && processing);
    assert.equal(meta.traceparent, `00-${publish.traceId}-${publish.spanId}-01`);
    assert.equal(processing.parentSpanId, publish.spanId);
    assert.equal(processing.traceId, publish.traceId);
    assert.equal(publish.attributes['messaging.operation.type'], 'send');
    assert.equal(processing.attributes['messaging.operation.type'], 'process');
  });

  void it('a creation context stays on the wire and parents both the publish and the processing', async () => {
    const meta = await roundTrip(CREATION);
    assert.equal(meta.traceparent, CREATION);
    const spans = await spansOf(meta.messageId ?? '', 2);
    for (const span of spans) {
      assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c', span.name);
      assert.equal(span.parentSpanId, 'b7ad6b7169203331', span.name);
    }
  });

  void it('inside another span, a publish is its child and links to the creation context', async () => {
    const tracer = trace.getTracer('test');
    const outer = tracer.startSpan('outer');
    const meta = await context.with(trace.setSpan(context.active(), outer), () => roundTrip(CREATION));
    outer.end();
    const publish = (await spansOf(meta.messageId ?? '', 2)).find((s) => s.name.startsWith('publish '));
    assert.ok(publish);
    assert.equal(publish.parentSpanId, outer.spanContext().spanId);
    assert.deepEqual(publish.links, [
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    ]);
  });

  void it('a delivery whose handler fails is a process span marked failed', async () => {
    const meta = await roundTrip(undefined, true);
    const spans = await spansOf(meta.messageId ?? '', 2);
    const processing = spans.find((s) => s.name.startsWith('process '));
    assert.equal(processing?.status, 2);
    assert.equal(processing.attributes['error.type'], 'Error');
  });
});
