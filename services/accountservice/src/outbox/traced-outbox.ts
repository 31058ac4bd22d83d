import { context, SpanKind, trace } from '@opentelemetry/api';
import { failSpan, Messaging, RABBITMQ, scopeTracer, traceparentOfSpan, tracingOn } from '@goblog/telemetry';
import type { Logger } from '@goblog/messaging';
import type { NotificationOutbox } from '../domain/notification.js';

const tracer = scopeTracer('@goblog/accountservice');

/**
 * With tracing on, each outbox record is the notification's PRODUCER span `create <queue>` (the messaging
 * conventions' "create" operation), child of the read's request span and ending once the record is durable.
 * Its context is the message's creation context: stored with the entry, sent as its `traceparent`, and the
 * parent of the relay's `publish` span and of the vipservice's `process` span, so the time a notification
 * waited in the outbox, and then in the queue, shows in one trace. With tracing off: `outbox` itself.
 */
export function tracedOutbox(outbox: NotificationOutbox, queue: string, logger: Logger): NotificationOutbox {
  if (!tracingOn()) return outbox;
  return {
    record(notification) {
      const t = tracer();
      if (t === undefined) return outbox.record(notification);
      const parent = context.active();
      const span = t.startSpan(
        `create ${queue}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            [Messaging.system]: RABBITMQ,
            [Messaging.systemName]: RABBITMQ,
            [Messaging.operationType]: 'create',
            [Messaging.operationName]: 'create',
            [Messaging.destinationName]: queue,
            [Messaging.messageId]: notification.messageId,
          },
        },
        parent,
      );
      return context.with(trace.setSpan(parent, span), () =>
        outbox.record({ ...notification, traceparent: traceparentOfSpan(span) }).then(
          () => {
            logger.debug(
              { messageId: notification.messageId, accountId: notification.body.accountId },
              'VIP notification recorded in the outbox',
            );
            span.end();
          },
          (err: unknown) => {
            failSpan(span, err);
            span.end();
            throw err;
          },
        ),
      );
    },
  };
}
