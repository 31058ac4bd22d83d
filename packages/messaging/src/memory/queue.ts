import type { PublishProperties } from '../core/properties.js';
import type { MemoryBroker } from './broker.js';

/** A message in a memory queue: its bytes, its properties as published, and whether it was delivered before. */
export interface Envelope {
  readonly body: Buffer;
  readonly props: Readonly<PublishProperties>;
  redelivered: boolean;
}

/** A consumer as its queue sees it: a prefetch window and a sink. */
export interface QueueSubscriber {
  readonly prefetch: number;
  /** Messages delivered to it and not yet settled (kept by the queue). */
  unacked: number;
  deliver(env: Envelope, tag: number): void;
}

/**
 * A FIFO queue with round-robin dispatch to the subscribers with a free prefetch slot. What a subscriber
 * leaves unsettled when it is removed returns to the front, marked redelivered. A delay queue (`deadLetterTo`)
 * holds each message until its `expiration`, then hands it to that queue.
 */
export class MemoryQueue {
  readonly ready: Envelope[] = [];
  /** Messages acknowledged on this queue so far. */
  acked = 0;
  private readonly unacked = new Map<number, { env: Envelope; sub: QueueSubscriber }>();
  private subs: QueueSubscriber[] = [];
  private next = 0;
  private nextTag = 1;
  private scheduled = false;
  private readonly delays = new Set<NodeJS.Timeout>();

  constructor(
    readonly name: string,
    private readonly broker: MemoryBroker,
    private readonly deadLetterTo?: string,
  ) {}

  /** Delivered or waiting for a slot, or waiting for its delay to expire. */
  get busy(): boolean {
    return this.unacked.size > 0 || this.delays.size > 0 || (this.subs.length > 0 && this.ready.length > 0);
  }

  enqueue(env: Envelope): void {
    const target = this.deadLetterTo;
    const ttl = Number(env.props.expiration);
    if (target !== undefined && Number.isFinite(ttl)) {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        const { expiration: _expired, ...props } = env.props;
        this.broker.queues.get(target)?.enqueue({ body: env.body, props, redelivered: false });
        this.broker.changed();
      }, ttl);
      this.delays.add(timer);
      return;
    }
    this.ready.push(env);
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

  /** Removes a subscriber; its unsettled messages go back to the queue, marked redelivered. */
  unsubscribe(sub: QueueSubscriber): void {
    this.cancel(sub);
    const back: Envelope[] = [];
    for (const [tag, u] of this.unacked) {
      if (u.sub !== sub) continue;
      this.unacked.delete(tag);
      back.push(u.env);
    }
    sub.unacked = 0;
    this.requeue(back);
  }

  /** True while `tag` is delivered and not yet settled (false once its subscriber is gone). */
  holds(tag: number): boolean {
    return this.unacked.has(tag);
  }

  /** Acknowledges `tag`, or gives it back to the queue; false when it is no longer held. */
  settle(tag: number, ack: boolean): boolean {
    const u = this.unacked.get(tag);
    if (u === undefined) return false;
    this.unacked.delete(tag);
    u.sub.unacked--;
    if (ack) this.acked++;
    this.requeue(ack ? [] : [u.env]);
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

  private requeue(envs: Envelope[]): void {
    for (const env of envs) env.redelivered = true;
    this.ready.unshift(...envs);
    this.schedule();
    this.broker.changed();
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
      const env = this.ready.shift() as Envelope;
      const tag = this.nextTag++;
      this.unacked.set(tag, { env, sub });
      sub.unacked++;
      sub.deliver(env, tag);
    }
    this.broker.changed();
  }

  private nextFree(): QueueSubscriber | undefined {
    for (let i = 0; i < this.subs.length; i++) {
      const sub = this.subs[(this.next + i) % this.subs.length];
      if (sub !== undefined && sub.unacked < sub.prefetch) {
        this.next = (this.next + i + 1) % this.subs.length;
        return sub;
      }
    }
    return undefined;
  }
}
