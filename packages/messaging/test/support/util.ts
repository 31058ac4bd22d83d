import { randomUUID } from 'node:crypto';

export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects if `promise` has not settled within `ms` (a bound on waiting for an event, never a sleep). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls a condition on a short interval until it holds (for state owned by another process, like the broker). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Counts events and lets a test await the n-th one. */
export class Counter {
  private n = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  get count(): number {
    return this.n;
  }

  hit(): void {
    this.n++;
    this.waiters = this.waiters.filter((w) => {
      if (this.n < w.count) return true;
      w.resolve();
      return false;
    });
  }

  reach(count: number, ms: number, what = `${count} events`): Promise<void> {
    if (this.n >= count) return Promise.resolve();
    const d = deferred();
    this.waiters.push({
      count,
      resolve: () => {
        d.resolve();
      },
    });
    return within(d.promise, ms, `${what} (saw ${this.n})`);
  }
}

export function uniqueName(prefix: string): string {
  return `test.${prefix}.${randomUUID().slice(0, 8)}`;
}

/** The value, or a test failure when it is missing. */
export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected a ${what}`);
  return value;
}

/** A handler from a synchronous function (tests' handlers rarely need to await). */
export function sync<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Promise<void> {
  return (...args) => {
    fn(...args);
    return Promise.resolve();
  };
}
