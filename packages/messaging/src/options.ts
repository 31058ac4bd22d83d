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

/**
 * Checks the options of one entry point and collects every problem, so that one MessagingError
 * INVALID_OPTIONS names them all (`done`). Each check returns the value, or its fallback when the value is bad.
 */
export class OptionChecks {
  private readonly problems: string[] = [];

  constructor(private readonly where: string) {}

  /** `value` (or `fallback` when undefined), to be an integer of at least `min`. */
  integer(name: string, value: number | undefined, fallback: number, min: number): number {
    const v = value ?? fallback;
    if (Number.isSafeInteger(v) && v >= min) return v;
    this.problem(name, `must be an integer >= ${min}`, v);
    return fallback;
  }

  /** `value` (or `fallback`), to be one of `allowed`. */
  oneOf<T extends string>(name: string, value: T | undefined, fallback: T, allowed: readonly T[]): T {
    const v = value ?? fallback;
    if (allowed.includes(v)) return v;
    this.problem(name, `must be one of ${allowed.join(', ')}`, v);
    return fallback;
  }

  problem(name: string, rule: string, value: unknown): void {
    this.problems.push(`${name} ${rule}, got ${String(value)}`);
  }

  /** Throws INVALID_OPTIONS naming every problem found, if there is one. */
  done(): void {
    const n = this.problems.length;
    if (n === 0) return;
    throw new MessagingError(
      'INVALID_OPTIONS',
      `${this.where} option${n > 1 ? 's' : ''} ${this.problems.join('; ')}`,
    );
  }
}
