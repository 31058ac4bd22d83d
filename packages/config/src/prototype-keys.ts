import type { Logger } from '@goblog/messaging';

/**
 * Configuration keys whose segments name an object's prototype machinery (`__proto__`, `prototype`,
 * `constructor`). Written into an ordinary object, `__proto__.priority` would set Object.prototype.priority
 * for the whole process. Such keys are never configuration: they are dropped wherever keys are read or
 * objects rebuilt, and reported by name (never by value).
 */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** How many ignored keys one warning names, and how much of each: keys are file content of any size. */
const NAMED_KEYS = 10;
const KEY_LENGTH = 80;

/** True for one key segment that must never become a property name. */
export function isPrototypeName(segment: string | number): boolean {
  return typeof segment === 'string' && PROTOTYPE_NAMES.has(segment);
}

/** True when any segment of a flat key (`a.__proto__.b`, `constructor[0]`, `x[prototype]`) is such a name. */
export function touchesPrototype(key: string): boolean {
  return key.split(/[.[\]]/).some(isPrototypeName);
}

/**
 * Logs ONE warning line naming the ignored keys (at most NAMED_KEYS of them, each cut to KEY_LENGTH), or
 * nothing when there are none. Names only: values may be secrets.
 */
export function warnIgnoredKeys(logger: Logger | undefined, keys: readonly string[]): void {
  if (!logger || keys.length === 0) return;
  const named = keys
    .slice(0, NAMED_KEYS)
    .map((k) => (k.length > KEY_LENGTH ? `${k.slice(0, KEY_LENGTH)}...` : k));
  const more = keys.length > NAMED_KEYS ? ` and ${keys.length - NAMED_KEYS} more` : '';
  logger.warn(
    { ignoredKeys: keys.length },
    `configuration keys ignored, they name prototype properties: ${named.join(', ')}${more}`,
  );
}
