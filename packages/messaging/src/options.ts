import { MessagingError } from './errors.js';

/** One option out of range or missing: MessagingError INVALID_OPTIONS naming it, its rule and its value. */
export function invalidOption(where: string, name: string, rule: string, value: unknown): MessagingError {
  return new MessagingError('INVALID_OPTIONS', `${where} option ${name} ${rule}, got ${String(value)}`);
}

/** `value` (or `fallback` when undefined), checked to be an integer of at least `min`. */
export function integerOption(
  where: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min)
    throw invalidOption(where, name, `must be an integer >= ${min}`, v);
  return v;
}

/** `value` (or `fallback`), checked to be one of `allowed`. */
export function oneOfOption<T extends string>(
  where: string,
  name: string,
  value: T | undefined,
  fallback: T,
  allowed: readonly T[],
): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) throw invalidOption(where, name, `must be one of ${allowed.join(', ')}`, v);
  return v;
}
