/**
 * Reads RabbitMQ's refusal of a queue re-declaration, e.g.
 * `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current
 * is the value '1000' of type 'signedint'`. The broker names only the first argument in which the existing
 * queue differs, with the existing queue's value: enough to re-declare with that value and learn the next one.
 */

/** A queue argument's value as the broker reports it. */
export type ArgValue =
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean };

/** What one refusal says about the existing queue. */
export interface Inequivalence {
  /** `durable`, `auto_delete` or an `x-` argument. */
  readonly key: string;
  readonly vhost: string;
  /** The existing queue's value; undefined when it has none. */
  readonly current: ArgValue | undefined;
}

/**
 * The flags and arguments RabbitMQ compares on a re-declaration, with the type of their values: when both
 * sides have a value the broker prints it without its type.
 */
export const COMPARED_KEYS: ReadonlyMap<string, ArgValue['type']> = new Map([
  ['durable', 'boolean'],
  ['auto_delete', 'boolean'],
  ['x-single-active-consumer', 'boolean'],
  ['x-expires', 'integer'],
  ['x-message-ttl', 'integer'],
  ['x-max-length', 'integer'],
  ['x-max-length-bytes', 'integer'],
  ['x-max-in-memory-length', 'integer'],
  ['x-max-in-memory-bytes', 'integer'],
  ['x-max-priority', 'integer'],
  ['x-delivery-limit', 'integer'],
  ['x-quorum-initial-group-size', 'integer'],
  ['x-initial-cluster-size', 'integer'],
  ['x-stream-max-segment-size-bytes', 'integer'],
  ['x-queue-version', 'integer'],
  ['x-dead-letter-exchange', 'string'],
  ['x-dead-letter-routing-key', 'string'],
  ['x-dead-letter-strategy', 'string'],
  ['x-overflow', 'string'],
  ['x-queue-mode', 'string'],
  ['x-queue-type', 'string'],
  ['x-queue-master-locator', 'string'],
  ['x-queue-leader-locator', 'string'],
  ['x-max-age', 'string'],
] as const);

const PREFIX = "PRECONDITION_FAILED - inequivalent arg '";
const SPLIT = ' but current is ';
const INTEGER_TYPES = new Set([
  'byte',
  'short',
  'signedint',
  'long',
  'unsignedbyte',
  'unsignedshort',
  'unsignedint',
]);
const FLOAT_TYPES = new Set(['float', 'double']);
const STRING_TYPES = new Set(['longstr', 'shortstr']);

/** One side of "received X but current is Y": none, 'v', or the value 'v' of type 't'. */
type Reported =
  { readonly none: true } | { readonly none: false; readonly text: string; readonly type?: string };

function reported(text: string): Reported | undefined {
  if (text === 'none') return { none: true };
  const typed = /^the value '([\s\S]*)' of type '([a-z]+)'$/.exec(text);
  if (typed !== null) return { none: false, text: typed[1] ?? '', type: typed[2] };
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'"))
    return { none: false, text: text.slice(1, -1) };
  return undefined;
}

function convert(text: string, type: ArgValue['type']): ArgValue | undefined {
  switch (type) {
    case 'integer': {
      const n = Number(text);
      return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? { type, value: n } : undefined;
    }
    case 'float': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? { type, value: n } : undefined;
    }
    case 'string':
      return { type, value: text };
    case 'boolean':
      return text === 'true' || text === 'false' ? { type, value: text === 'true' } : undefined;
  }
}

function typeClass(brokerType: string): ArgValue['type'] | undefined {
  if (INTEGER_TYPES.has(brokerType)) return 'integer';
  if (FLOAT_TYPES.has(brokerType)) return 'float';
  if (STRING_TYPES.has(brokerType)) return 'string';
  if (brokerType === 'bool') return 'boolean';
  return undefined;
}

/** The broker's reply text inside amqplib's "Operation failed: ...; 406 (...) with message "..."". */
function replyText(message: string): string {
  const marker = 'with message "';
  const at = message.indexOf(marker);
  const text = at < 0 ? message : message.slice(at + marker.length);
  return at >= 0 && text.endsWith('"') ? text.slice(0, -1) : text;
}

/**
 * Parses a 406 about `queue`. Undefined when the text is anything else, truncated (the broker cuts reply texts
 * at 255 bytes), ambiguous, or carries a value of a type that is not a plain number, string or boolean.
 */
export function parseInequivalence(message: string, queue: string): Inequivalence | undefined {
  const text = replyText(message);
  if (!text.startsWith(PREFIX)) return undefined;
  const forQueue = `' for queue '${queue}' in vhost '`;
  const keyEnd = text.indexOf(forQueue, PREFIX.length);
  if (keyEnd < 0) return undefined;
  const key = text.slice(PREFIX.length, keyEnd);
  if (!/^(durable|auto_delete|x-[a-z0-9-]+)$/.test(key)) return undefined;
  const vhostStart = keyEnd + forQueue.length;
  const vhostEnd = text.indexOf("': received ", vhostStart);
  if (vhostEnd < 0) return undefined;
  const vhost = text.slice(vhostStart, vhostEnd);
  const sides = text.slice(vhostEnd + "': received ".length);

  // A quoted value may itself contain the separator: accept only a single reading of the two sides.
  let current: Reported | undefined;
  let readings = 0;
  for (let at = sides.indexOf(SPLIT); at >= 0; at = sides.indexOf(SPLIT, at + 1)) {
    const theirs = reported(sides.slice(at + SPLIT.length));
    if (theirs !== undefined && reported(sides.slice(0, at)) !== undefined) {
      current = theirs;
      readings++;
    }
  }
  if (readings !== 1 || current === undefined) return undefined;
  if (current.none) return { key, vhost, current: undefined };
  const type = current.type === undefined ? COMPARED_KEYS.get(key) : typeClass(current.type);
  if (type === undefined) return undefined;
  const value = convert(current.text, type);
  return value === undefined ? undefined : { key, vhost, current: value };
}
