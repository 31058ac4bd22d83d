import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { formatTraceparent, Http, Messaging, parseTraceparent } from '../src/index.js';

void describe('the attribute names spans carry', () => {
  void it('are the semantic conventions names', () => {
    assert.equal(Http.requestMethod, stable.ATTR_HTTP_REQUEST_METHOD);
    assert.equal(Http.route, stable.ATTR_HTTP_ROUTE);
    assert.equal(Http.responseStatusCode, stable.ATTR_HTTP_RESPONSE_STATUS_CODE);
    assert.equal(Http.urlPath, stable.ATTR_URL_PATH);
    assert.equal(Http.urlScheme, stable.ATTR_URL_SCHEME);
    assert.equal(Http.serverPort, stable.ATTR_SERVER_PORT);
    assert.equal(Http.clientAddress, stable.ATTR_CLIENT_ADDRESS);
    assert.equal(Http.userAgent, stable.ATTR_USER_AGENT_ORIGINAL);
    assert.equal(Http.errorType, stable.ATTR_ERROR_TYPE);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still set, beside its successor (see Messaging)
    assert.equal(Messaging.system, incubating.ATTR_MESSAGING_SYSTEM);
    assert.equal(Messaging.systemName, incubating.ATTR_MESSAGING_SYSTEM_NAME);
    assert.equal(Messaging.operationType, incubating.ATTR_MESSAGING_OPERATION_TYPE);
    assert.equal(Messaging.operationName, incubating.ATTR_MESSAGING_OPERATION_NAME);
    assert.equal(Messaging.destinationName, incubating.ATTR_MESSAGING_DESTINATION_NAME);
    assert.equal(Messaging.messageId, incubating.ATTR_MESSAGING_MESSAGE_ID);
    assert.equal(Messaging.bodySize, incubating.ATTR_MESSAGING_MESSAGE_BODY_SIZE);
    assert.equal(Messaging.routingKey, incubating.ATTR_RABBITMQ_DESTINATION_ROUTING_KEY);
    assert.equal(Messaging.subscriptionName, incubating.ATTR_MESSAGING_DESTINATION_SUBSCRIPTION_NAME);
    assert.equal(incubating.MESSAGING_SYSTEM_VALUE_RABBITMQ, 'rabbitmq');
    assert.equal(incubating.MESSAGING_OPERATION_TYPE_VALUE_SEND, 'send');
    assert.equal(incubating.MESSAGING_OPERATION_TYPE_VALUE_CREATE, 'create');
    assert.equal(incubating.MESSAGING_OPERATION_TYPE_VALUE_PROCESS, 'process');
  });
});

void describe('traceparent', () => {
  void it('round-trips a valid one and refuses what W3C forbids', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const parsed = parseTraceparent(tp);
    assert.deepEqual(parsed, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: 1,
    });
    assert.ok(parsed);
    assert.equal(formatTraceparent(parsed), tp);
    for (const bad of [
      undefined,
      42,
      '',
      tp.toUpperCase(),
      `ff${tp.slice(2)}`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`,
      `${tp}-extra`,
      'x'.repeat(100_000),
    ]) {
      assert.equal(parseTraceparent(bad), undefined, String(bad).slice(0, 60));
    }
  });
});
