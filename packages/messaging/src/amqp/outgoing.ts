import type { Options } from 'amqplib';
import { MessagingError } from '../errors.js';
import type { PublishStats } from '../metrics.js';

/** One message on its way: waiting for a slot, or written and waiting for its confirm. */
export interface Outgoing {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly props: Options.Publish;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly stats: PublishStats;
  /** When it entered its current phase (waiting, or in flight), performance.now(). */
  since: number;
  /**
   * When the publish fails at the latest, whatever happens (performance.now()): publishWaitMs + confirmTimeoutMs
   * after the call. A message written again after each of several failovers keeps the deadline of its call.
   */
  readonly deadline: number;
  settled: boolean;
}

/** Fails a message: counted for its destination, rejected to its caller, never settled again. */
export function failOutgoing(o: Outgoing, err: MessagingError): void {
  o.settled = true;
  rejectOutgoing(o, err);
}

/** Rejects a message the confirm window has settled already. */
export function rejectOutgoing(o: Outgoing, err: MessagingError): void {
  o.stats.failed(err.code);
  o.reject(err);
}

/** Where a message went, for error messages. */
export function describe(o: Outgoing): string {
  const id = typeof o.props.messageId === 'string' ? o.props.messageId : 'no id';
  return o.exchange === '' ? `queue ${o.routingKey}, ${id}` : `exchange ${o.exchange} ${o.routingKey}, ${id}`;
}

/**
 * The messages waiting to be written, first in first out, at most `max`: beyond, BACKPRESSURE at once. Each
 * waits at most `publishWaitMs` (see `expire`).
 */
export class WaitingLine {
  private items: Outgoing[] = [];

  constructor(
    private readonly max: number,
    private readonly publishWaitMs: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Queues `o` at the back, or fails it with BACKPRESSURE when the line is full. */
  push(o: Outgoing): void {
    if (this.items.length >= this.max) {
      failOutgoing(o, new MessagingError('BACKPRESSURE', `${this.items.length} publishes already waiting`));
      return;
    }
    o.since = performance.now();
    this.items.push(o);
  }

  shift(): Outgoing | undefined {
    return this.items.shift();
  }

  /** Puts a message back at the front (its write did not happen). */
  unshift(o: Outgoing): void {
    o.since = performance.now();
    this.items.unshift(o);
  }

  /**
   * Puts messages written but not confirmed back at the front, to be written again on the next connection,
   * each waiting for it no longer than the deadline of its call allows.
   */
  putBack(pending: readonly Outgoing[]): void {
    const now = performance.now();
    for (const o of pending) o.since = Math.min(now, o.deadline - this.publishWaitMs);
    this.items = pending.concat(this.items);
  }

  /** Fails every message that has waited since `deadline` or before, with `error()`. */
  expire(deadline: number, error: () => MessagingError): void {
    // Not only the head: messages put back after a failover go first, with their own (clamped) times.
    if (!this.items.some((o) => o.since <= deadline)) return;
    const keep: Outgoing[] = [];
    for (const o of this.items) {
      if (o.since > deadline) keep.push(o);
      else failOutgoing(o, error());
    }
    this.items = keep;
  }

  /** Empties the line, failing every message with `err`. */
  failAll(err: MessagingError): void {
    for (const o of this.items.splice(0)) failOutgoing(o, err);
  }
}
