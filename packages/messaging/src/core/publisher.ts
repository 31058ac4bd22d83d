import type { Static, TSchema } from 'typebox';
import { MessagingError } from '../errors.js';
import type { MessageType } from '../message-type.js';
import { noPublishStats, type MessagingMetrics, type PublishStats } from '../metrics.js';
import type { DeclaringPublisher, PublishOptions } from '../transport.js';
import { envelopeOf, type PublishEnvelope } from './envelope.js';

/** What a wire does with a publisher's messages: the only part of publishing that differs per wire. */
export interface PublishWire {
  /** undefined when `type`'s destination is already declared (the hot path); else the declaration. */
  ensureDeclared(type: MessageType): Promise<void> | undefined;
  /** Declares `type`'s destination now and again after every reconnect (see DeclaringPublisher.declare). */
  declare(type: MessageType): Promise<void>;
  /** Resolves once the broker has confirmed the envelope; rejects with a MessagingError (counted in `stats`). */
  send(envelope: PublishEnvelope, stats: PublishStats): Promise<void>;
  /** Waits (bounded) for what is in flight, then releases what the wire holds for this publisher. */
  close(): Promise<void>;
}

/**
 * A publisher, written once for every wire: CLOSED after close, the envelope (schema checked: INVALID_MESSAGE),
 * the destination's metrics, the destination declared before the first message, then the wire's confirmed send.
 */
export class EnvelopePublisher implements DeclaringPublisher {
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly wire: PublishWire,
    private readonly appId: string | undefined,
    private readonly metrics: MessagingMetrics | undefined,
  ) {}

  publish<S extends TSchema>(
    type: MessageType<S>,
    message: Static<S>,
    options?: PublishOptions,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    let e: PublishEnvelope;
    try {
      e = envelopeOf(type, message, options, this.appId);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const stats = this.metrics ? this.metrics.forDestination(e.destination) : noPublishStats;
    const declaring = this.wire.ensureDeclared(type);
    if (declaring === undefined) return this.wire.send(e, stats);
    return declaring.then(
      () => this.wire.send(e, stats),
      (err: unknown) => {
        if (err instanceof MessagingError) stats.failed(err.code);
        throw err;
      },
    );
  }

  declare(type: MessageType): Promise<void> {
    if (this.closed) return Promise.reject(new MessagingError('CLOSED', 'publisher is closed'));
    return this.wire.declare(type);
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.wire.close();
    return this.closing;
  }
}
