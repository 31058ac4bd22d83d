import { MessagingError } from './errors.js';

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
