import type { Static, TSchema } from 'typebox';
// The compiler of the one bundled typebox module every package and service shares (@goblog/schema,
// a leaf that imports nothing: messaging does not come to depend on the contracts themselves). Taken from
// 'typebox/compile' instead, it would load typebox's ~680 files beside the bundle in every process.
import { Compile } from '@goblog/schema';
import { MessagingError } from './errors.js';
import { OptionChecks } from './options.js';
import type { QueueType } from './topology.js';

/**
 * Where a message type is published: a queue through the default exchange, or an exchange.
 * A queue's `queueType` overrides the transport's (default 'classic'); publishers and consumers of the type
 * declare the queue alike, so they agree on it.
 */
export type Destination =
  | { readonly kind: 'queue'; readonly queue: string; readonly queueType?: QueueType }
  | {
      readonly kind: 'exchange';
      readonly exchange: string;
      readonly exchangeType: 'topic' | 'direct' | 'fanout';
      readonly routingKey: string;
    };

/**
 * A message type couples a name (the AMQP `type` property), a schema validated on publish and on consume,
 * and its destination. Define one per kind of message and share it between publisher and consumer.
 */
export interface MessageType<S extends TSchema = TSchema> {
  readonly name: string;
  readonly schema: S;
  readonly destination: Destination;
  /** Bodies larger than this are refused on publish and on consume, before they are parsed. */
  readonly maxBytes: number;
  /** Throws MessagingError('INVALID_MESSAGE') naming the first problems when `value` does not match. */
  assert(value: unknown): asserts value is Static<S>;
  /** Parses a message body (UTF-8 JSON) and validates it; throws MessagingError('INVALID_MESSAGE'). */
  decode(body: Buffer): Static<S>;
  /** Validates and serialises a value. */
  encode(value: Static<S>): Buffer;
}

/** The body size limit of a message type that sets none. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export type MessageOf<M> = M extends MessageType<infer S> ? Static<S> : never;

export function defineMessage<S extends TSchema>(definition: {
  name: string;
  schema: S;
  destination: Destination;
  /** Default DEFAULT_MAX_MESSAGE_BYTES. */
  maxBytes?: number;
}): MessageType<S> {
  const check = new OptionChecks(`message type ${definition.name}`);
  const maxBytes = check.integer('maxBytes', definition.maxBytes, DEFAULT_MAX_MESSAGE_BYTES, 1);
  check.done();
  const tooLarge = (size: number): MessagingError =>
    new MessagingError(
      'INVALID_MESSAGE',
      `${definition.name} body of ${size} bytes is over its limit of ${maxBytes}`,
    );
  const validator = Compile(definition.schema);
  const describe = (value: unknown): string =>
    [...validator.Errors(value)]
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ');
  const assert: (value: unknown) => asserts value is Static<S> = (value) => {
    if (!validator.Check(value)) {
      throw new MessagingError(
        'INVALID_MESSAGE',
        `${definition.name} does not match its schema: ${describe(value)}`,
      );
    }
  };
  return {
    name: definition.name,
    schema: definition.schema,
    destination: definition.destination,
    maxBytes,
    assert,
    decode(body: Buffer): Static<S> {
      if (body.length > maxBytes) throw tooLarge(body.length);
      let value: unknown;
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch (cause) {
        throw new MessagingError('INVALID_MESSAGE', `${definition.name} body is not valid JSON`, { cause });
      }
      assert(value);
      return value;
    },
    encode(value: Static<S>): Buffer {
      assert(value);
      const body = Buffer.from(JSON.stringify(value));
      if (body.length > maxBytes) throw tooLarge(body.length);
      return body;
    },
  };
}
