import type { PublishProperties } from '../core/properties.js';
/** The bits of AMQP basic properties the in-memory broker keeps (amqplib's names; timestamp in seconds). */
export interface MemoryProperties {
  readonly messageId?: string;
  readonly timestamp?: number;
  readonly type?: string;
  readonly appId?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** ms, as a string, like AMQP's per-message TTL. */
  readonly expiration?: string;
}

/** The properties the in-memory broker keeps of what a wire publishes. */
export function memoryProps(p: PublishProperties): MemoryProperties {
  return {
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    appId: p.appId,
    contentType: p.contentType,
    headers: p.headers,
    expiration: p.expiration,
  };
}

export interface Envelope {
  readonly body: Buffer;
  readonly props: MemoryProperties;
  redelivered: boolean;
}

/** A consumer as the queue sees it: a prefetch window and a sink. */
export interface QueueSubscriber {
  readonly prefetch: number;
  unacked: number;
  deliver(env: Envelope, tag: number): void;
}

export interface QueueOptions {
  /** A delay queue: where its messages go when they expire (through the default exchange). */
  readonly deadLetterTo?: string;
}

/** What a queue tells its broker. */
export interface QueueEvents {
  /** An expired message of a delay queue goes to `routingKey` through the default exchange. */
  expired(routingKey: string, env: Envelope): void;
  changed(): void;
  timerStarted(): void;
  timerDone(): void;
}

/** A FIFO queue with round-robin dispatch to subscribers with a free prefetch slot. */
export class MemoryQueue {
  readonly ready: Envelope[] = [];
  private readonly unacked = new Map<number, { env: Envelope; sub: QueueSubscriber }>();
  private subs: QueueSubscriber[] = [];
  private rr = 0;
  private nextTag = 1;
  private scheduled = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly name: string,
    readonly options: QueueOptions,
    private readonly host: QueueEvents,
  ) {}

  get unackedCount(): number {
    return this.unacked.size;
  }

  get hasSubscribers(): boolean {
    return this.subs.length > 0;
  }

  enqueue(env: Envelope): void {
    const ttl = env.props.expiration === undefined ? NaN : Number(env.props.expiration);
    if (Number.isFinite(ttl) && this.options.deadLetterTo !== undefined && this.subs.length === 0) {
      // A delay queue: nobody reads it; the message comes out when it expires.
      const target = this.options.deadLetterTo;
      this.host.timerStarted();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const { expiration: _e, ...props } = env.props;
        this.host.expired(target, { ...env, props, redelivered: false });
        this.host.timerDone();
      }, ttl);
      this.timers.add(timer);
      return;
    }
    this.ready.push(env);
    this.schedule();
  }

  subscribe(sub: QueueSubscriber): void {
    this.subs.push(sub);
    this.schedule();
  }

  /** Stops deliveries to a subscriber; it may still ack what it holds (basic.cancel). */
  cancel(sub: QueueSubscriber): void {
    this.subs = this.subs.filter((s) => s !== sub);
  }

  /** Removes a subscriber; its unacknowledged messages go back to the queue, marked redelivered. */
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

  ack(tag: number): boolean {
    const u = this.unacked.get(tag);
    if (u === undefined) return false;
    this.unacked.delete(tag);
    u.sub.unacked--;
    this.schedule();
    this.host.changed();
    return true;
  }

  nack(tag: number): boolean {
    const u = this.unacked.get(tag);
    if (u === undefined) return false;
    this.unacked.delete(tag);
    u.sub.unacked--;
    this.requeue([u.env]);
    return true;
  }

  /** Drops everything (the queue is deleted). */
  destroy(): void {
    for (const t of this.timers) {
      clearTimeout(t);
      this.host.timerDone();
    }
    this.timers.clear();
    this.ready.length = 0;
    this.unacked.clear();
    this.subs = [];
  }

  private requeue(envs: Envelope[]): void {
    for (const env of envs) env.redelivered = true;
    this.ready.unshift(...envs);
    this.schedule();
    this.host.changed();
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
    while (this.ready.length > 0) {
      const sub = this.nextFree();
      if (sub === undefined) break;
      const env = this.ready.shift() as Envelope;
      const tag = this.nextTag++;
      this.unacked.set(tag, { env, sub });
      sub.unacked++;
      sub.deliver(env, tag);
    }
    this.host.changed();
  }

  private nextFree(): QueueSubscriber | undefined {
    for (let i = 0; i < this.subs.length; i++) {
      const sub = this.subs[(this.rr + i) % this.subs.length];
      if (sub !== undefined && sub.unacked < sub.prefetch) {
        this.rr = (this.rr + i + 1) % this.subs.length;
        return sub;
      }
    }
    return undefined;
  }
}
