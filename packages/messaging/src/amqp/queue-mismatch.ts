/**
 * Which ways an existing queue can differ from our declaration lose messages that the broker has already
 * confirmed to the publisher, and which only change how it works (quorum or classic, priorities, single
 * active consumer, a full queue that refuses publishes...).
 */
import type { ArgValue } from './inequivalent-arg.js';

/** A queue's flags (`durable`, `auto_delete`) and `x-` arguments, declared or found. */
export type QueueArgs = ReadonlyMap<string, ArgValue>;

/** An existing queue's value that loses messages, and how. */
export interface Loss {
  readonly key: string;
  readonly value: ArgValue | undefined;
  readonly why: string;
}

export interface MismatchContext {
  /** Every message leaves the queue by expiring into its dead-letter target (a delay queue). */
  readonly deadLettersOnExpiry: boolean;
}

interface Rule {
  /** The rule is looked at only when one of these differs: a queue exactly as we declare it is never refused. */
  readonly keys: readonly string[];
  readonly loss: (q: QueueArgs, ctx: MismatchContext, differing: ReadonlySet<string>) => Loss | undefined;
}

const stringOf = (q: QueueArgs, key: string): string | undefined => {
  const v = q.get(key);
  return v?.type === 'string' ? v.value : undefined;
};

const present =
  (key: string, why: string) =>
  (q: QueueArgs): Loss | undefined => {
    const value = q.get(key);
    return value === undefined ? undefined : { key, value, why };
  };

const dropsHead =
  (key: string) =>
  (q: QueueArgs): Loss | undefined => {
    const value = q.get(key);
    if (value === undefined || (stringOf(q, 'x-overflow') ?? 'drop-head') !== 'drop-head') return undefined;
    return { key, value, why: 'overflow drop-head: once full, the oldest messages are dropped' };
  };

const RULES: readonly Rule[] = [
  {
    keys: ['durable'],
    loss: (q) =>
      q.get('durable')?.value === false
        ? { key: 'durable', value: q.get('durable'), why: 'its messages are lost when the broker restarts' }
        : undefined,
  },
  {
    keys: ['auto_delete'],
    loss: (q) =>
      q.get('auto_delete')?.value === true
        ? {
            key: 'auto_delete',
            value: q.get('auto_delete'),
            why: 'it is deleted with its messages when its last consumer goes',
          }
        : undefined,
  },
  { keys: ['x-message-ttl'], loss: present('x-message-ttl', 'messages expire before they are consumed') },
  { keys: ['x-expires'], loss: present('x-expires', 'the queue is deleted with its messages once unused') },
  { keys: ['x-max-length', 'x-overflow'], loss: dropsHead('x-max-length') },
  { keys: ['x-max-length-bytes', 'x-overflow'], loss: dropsHead('x-max-length-bytes') },
  {
    keys: ['x-queue-type'],
    loss: (q) =>
      stringOf(q, 'x-queue-type') === 'stream'
        ? {
            key: 'x-queue-type',
            value: q.get('x-queue-type'),
            why: 'a stream: a consumer starts at the next message, so what arrives while none is attached is never delivered',
          }
        : undefined,
  },
  {
    keys: ['x-delivery-limit', 'x-dead-letter-exchange', 'x-queue-type'],
    loss: (q) =>
      stringOf(q, 'x-queue-type') === 'quorum' &&
      q.has('x-delivery-limit') &&
      !q.has('x-dead-letter-exchange')
        ? {
            key: 'x-delivery-limit',
            value: q.get('x-delivery-limit'),
            why: 'without x-dead-letter-exchange: a message delivered that often is dropped',
          }
        : undefined,
  },
  {
    keys: ['x-dead-letter-exchange', 'x-dead-letter-routing-key'],
    loss: (q, ctx, differing) => {
      if (!ctx.deadLettersOnExpiry) return undefined;
      const key = differing.has('x-dead-letter-exchange')
        ? 'x-dead-letter-exchange'
        : 'x-dead-letter-routing-key';
      return { key, value: q.get(key), why: 'expired messages do not go back to their work queue' };
    },
  },
];

// eslint-disable-next-line no-control-regex -- exactly the characters that would break a log line
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** How a value reads in a log line: strings quoted (control characters escaped: one line), none if missing. */
export function show(v: ArgValue | undefined): string {
  if (v === undefined) return 'none';
  if (v.type !== 'string') return String(v.value);
  return `'${v.value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/**
 * The losses of an existing queue `existing` (its flags and arguments, as far as they differ from ours in
 * `differing`, and ours for the rest). Empty when every difference is harmless.
 */
export function lossesOf(existing: QueueArgs, differing: ReadonlySet<string>, ctx: MismatchContext): Loss[] {
  const out: Loss[] = [];
  for (const rule of RULES) {
    if (!rule.keys.some((k) => differing.has(k))) continue;
    const loss = rule.loss(existing, ctx, differing);
    if (loss !== undefined && !out.some((l) => l.key === loss.key)) out.push(loss);
  }
  return out;
}
