import type { PublishProperties } from '../core/properties.js';
import type { MemoryBroker } from './broker.js';

/** A message in a memory queue: its bytes, its properties as published, and whether it was delivered before. */
export interface QueuedMessage {
  readonly body: Buffer;
  readonly props: Readonly<PublishProperties>;
  redelivered: boolean;
}

/** A consumer as its queue sees it: a prefetch window and a sink. */
export interface QueueSubscriber {
  readonly prefetch: number;
  /** Messages delivered to it and not yet settled (kept by the queue). */
  unacked: number;
  deliver(message: QueuedMessage, tag: number): void;
}

/**
 * A FIFO queue with round-robin dispatch to the subscribers with a free prefetch slot. What is given back
 * (requeued, or left unsettled by a subscriber that leaves) returns to the front, marked redelivered. A delay
 * queue (`expiresTo`) holds each message for its `expiration`, then hands it on.
 */
export class MemoryQueue {
  readonly ready: QueuedMessage[] = [];
  /** Messages acknowledged on this queue so far. */
  acked = 0;
  private readonly unacked = new Map<number, { message: QueuedMessage; sub: QueueSubscriber }>();
  private subs: QueueSubscriber[] = [];
  private next = 0;
  private nextTag = 1;
  private scheduled = false;
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(
    readonly name: string,
    private readonly broker: MemoryBroker,
    /** Set on a delay queue: the queue its messages go to when their `expiration` is over. */
    private readonly expiresTo?: string,
  ) {}

  /** Holding a message: delivered and unsettled, ready for a subscriber, or waiting for its delay to expire. */
  get busy(): boolean {
    return this.unacked.size > 0 || this.delays.size > 0 || (this.subs.length > 0 && this.ready.length > 0);
  }

  enqueue(message: QueuedMessage): void {
    const target = this.expiresTo;
    const ttl = Number(message.props.expiration);
    if (target !== undefined && Number.isFinite(ttl)) {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        const { expiration: _expired, ...props } = message.props;
        this.broker.queues.get(target)?.enqueue({ body: message.body, props, redelivered: false });
        this.broker.changed();
      }, ttl);
      this.delays.add(timer);
      return;
    }
    this.ready.push(message);
    this.schedule();
  }

  subscribe(sub: QueueSubscriber): void {
    this.subs.push(sub);
    this.schedule();
  }

  /** Stops deliveries to a subscriber; it may still settle what it holds (basic.cancel). */
  cancel(sub: QueueSubscriber): void {
    this.subs = this.subs.filter((s) => s !== sub);
  }

  /** Removes a subscriber; what it left unsettled goes back to the queue, marked redelivered. */
  unsubscribe(sub: QueueSubscriber): void {
    this.cancel(sub);
    const tags = [...this.unacked].filter(([, u]) => u.sub === sub).map(([tag]) => tag);
    for (const tag of tags.reverse()) this.settle(tag, false); // the earliest ends up in front
  }

  /** True while `tag` is delivered and not yet settled. */
  holds(tag: number): boolean {
    return this.unacked.has(tag);
  }

  /** Acknowledges `tag`, or gives it back to the front of the queue; false when it is no longer held. */
  settle(tag: number, ack: boolean): boolean {
    const u = this.unacked.get(tag);
    if (u === undefined) return false;
    this.unacked.delete(tag);
    u.sub.unacked--;
    if (ack) this.acked++;
    else {
      u.message.redelivered = true;
      this.ready.unshift(u.message);
    }
    this.schedule();
    this.broker.changed();
    return true;
  }

  /** Drops everything (the queue is deleted). */
  destroy(): void {
    for (const t of this.delays) clearTimeout(t);
    this.delays.clear();
    this.ready.length = 0;
    this.unacked.clear();
    this.subs = [];
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (let sub = this.nextFree(); sub !== undefined && this.ready.length > 0; sub = this.nextFree()) {
      const message = this.ready.shift() as QueuedMessage;
      const tag = this.nextTag++;
      this.unacked.set(tag, { message, sub });
      sub.unacked++;
      sub.deliver(message, tag);
    }
    this.broker.changed();
  }

  private nextFree(): QueueSubscriber | undefined {
    const n = this.subs.length;
    for (let i = 0; i < n; i++) {
      const sub = this.subs[(this.next + i) % n] as QueueSubscriber;
      if (sub.unacked < sub.prefetch) {
        this.next = (this.next + i + 1) % n;
        return sub;
      }
    }
    return undefined;
  }
}
