// Producer and consumer spans after the OpenTelemetry messaging conventions (docs/observability.md says
// which span is parent of which, and why). Every function here is a no-op while tracing is off.
import { randomUUID } from 'node:crypto';
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import {
  activeSpan,
  failSpan,
  Goblog,
  Messaging,
  RABBITMQ,
  remoteParent,
  scopeTracer,
  traceparentOfSpan,
} from '@goblog/telemetry';
import type { Static, TSchema } from 'typebox';
import type { ConsumerSource } from '../consume/source.js';
import type { MessageType } from '../message-type.js';
import type { DeclaringPublisher, MessageMeta, PublishOptions, Transport } from '../transport.js';

const tracer = scopeTracer('@goblog/messaging');

/**
 * A publisher whose every publish is a PRODUCER span `publish <destination>` that ends when the broker
 * confirms (or refuses) the message. A message that carries a creation context already (`traceparent`,
 * e.g. the outbox's `create` span) keeps it on the wire unchanged, and the span is its child, or, inside
 * another span, that span's child with a link to it; a message without one gets the publish span's.
 */
export function tracedPublisher(publisher: DeclaringPublisher): DeclaringPublisher {
  return {
    declare: (type) => publisher.declare(type),
    close: () => publisher.close(),
    publish<S extends TSchema>(type: MessageType<S>, message: Static<S>, options?: PublishOptions) {
      const t = tracer();
      if (t === undefined) return publisher.publish(type, message, options);
      const d = type.destination;
      const destination = d.kind === 'queue' ? d.queue : d.exchange;
      const messageId = options?.messageId ?? randomUUID();
      const creation = remoteParent(options?.traceparent);
      const ambient = activeSpan();
      const parent = ambient !== undefined || creation === undefined ? context.active() : creation;
      const creationSpan = creation === undefined ? undefined : trace.getSpanContext(creation);
      const span = t.startSpan(
        `publish ${destination}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            [Messaging.system]: RABBITMQ,
            [Messaging.systemName]: RABBITMQ,
            [Messaging.operationType]: 'send',
            [Messaging.operationName]: 'publish',
            [Messaging.destinationName]: destination,
            [Messaging.routingKey]: d.kind === 'queue' ? d.queue : (options?.routingKey ?? d.routingKey),
            [Messaging.messageId]: messageId,
            ...(options?.timestamp === undefined
              ? {}
              : { [Goblog.messageAgeMs]: Math.max(0, Date.now() - options.timestamp) }),
          },
          ...(ambient !== undefined && creationSpan !== undefined
            ? { links: [{ context: creationSpan }] }
            : {}),
        },
        parent,
      );
      const traceparent = options?.traceparent ?? traceparentOfSpan(span);
      return context
        .with(trace.setSpan(parent, span), () =>
          publisher.publish(type, message, { ...options, messageId, traceparent }),
        )
        .then(
          () => {
            span.end();
          },
          (err: unknown) => {
            failSpan(span, err);
            span.end();
            throw err;
          },
        );
    },
  };
}

/** The transport with traced publishers (consumers are traced by the delivery core itself). */
export function tracedTransport(transport: Transport): Transport {
  return new Proxy(transport, {
    get(target, property, receiver) {
      if (property === 'createPublisher') return () => tracedPublisher(target.createPublisher());
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A delivery's CONSUMER span, and how to run its handling inside it. */
export interface ProcessSpan {
  within(fn: () => void): void;
  failed(err: unknown): void;
  end(): void;
}

/**
 * The CONSUMER span `process <destination>` of one delivery, or undefined while tracing is off. Its parent
 * is the message's creation context (its `traceparent`): a push consumer has no ambient context, and each
 * span handles one message. A message without a valid `traceparent` (the Go original sends none) starts a
 * trace of its own.
 */
export function processSpan(
  source: ConsumerSource,
  consumerName: string,
  meta: MessageMeta,
): ProcessSpan | undefined {
  const t = tracer();
  if (t === undefined) return undefined;
  const destination = source.kind === 'work' ? source.queue : source.exchange;
  const parent = remoteParent(meta.traceparent) ?? context.active();
  const span: Span = t.startSpan(
    `process ${destination}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [Messaging.system]: RABBITMQ,
        [Messaging.systemName]: RABBITMQ,
        [Messaging.operationType]: 'process',
        [Messaging.operationName]: 'process',
        [Messaging.destinationName]: destination,
        [Messaging.subscriptionName]: consumerName,
        [Messaging.bodySize]: meta.body.length,
        ...(meta.messageId === undefined ? {} : { [Messaging.messageId]: meta.messageId }),
        ...(meta.retryCount > 0 ? { [Goblog.retryCount]: meta.retryCount } : {}),
        ...(meta.redelivered ? { [Goblog.redelivered]: true } : {}),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    within: (fn) => {
      context.with(active, fn);
    },
    failed: (err) => {
      failSpan(span, err);
    },
    end: () => {
      span.end();
    },
  };
}
