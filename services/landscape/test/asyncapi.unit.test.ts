// GET /asyncapi.json's document: valid AsyncAPI 3 (checked with the reference parser), its payloads the
// very schemas the services validate with.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { BusEventSchema } from '@goblog/config';
import { InstanceAnnouncementSchema, VipNotificationSchema } from '@goblog/contracts';
import { asyncApiDocument, plainSchema } from '../src/asyncapi/document.ts';

const doc = asyncApiDocument({
  broker: { host: '127.0.0.1:5672', vhost: '/' },
  workQueue: 'vip_queue',
  bus: 'springCloudBus',
  version: '0.1.0',
});

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document: no error from the parser', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics.filter((d) => (d.severity as number) === (DiagnosticSeverity.Error as number));
    assert.deepEqual(errors, [], JSON.stringify(errors, null, 1));
    assert.ok(document, 'parsed');
    assert.equal(document.version(), '3.0.0');
    assert.deepEqual(
      document
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
      ['springCloudBus', 'springCloudBus.instances', 'vip_queue', 'vip_queue.dlq'],
    );
    const senders = document
      .operations()
      .filterBySend()
      .map((o) => `${o.tags().all()[0]?.name() ?? ''} -> ${o.channels().all()[0]?.address() ?? ''}`)
      .sort();
    assert.deepEqual(senders, [
      'accountservice -> vip_queue',
      'configserver -> springCloudBus',
      'every service -> springCloudBus.instances',
      'vipservice -> vip_queue.dlq',
    ]);
  });

  it('carries the schemas the services validate with, unchanged', () => {
    const messages = (doc.components as { messages: Record<string, { payload: unknown }> }).messages;
    assert.deepEqual(messages.VipNotification?.payload, plainSchema(VipNotificationSchema));
    assert.deepEqual(messages.RefreshRemoteApplicationEvent?.payload, plainSchema(BusEventSchema));
    assert.deepEqual(messages.InstanceAnnouncement?.payload, plainSchema(InstanceAnnouncementSchema));
    assert.equal(
      (plainSchema(VipNotificationSchema).properties as Record<string, unknown>).accountId !== undefined,
      true,
    );
  });
});
