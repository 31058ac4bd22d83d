import { ConnectionError } from '../errors.js';

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (err: Error) => void;
}

/**
 * Callers waiting for the next connection, each for at most its own time (NOT_CONNECTED after it) or without
 * a bound; the one waiting mechanism of both wires. Waiters are settled in the order they came.
 */
export class AwaitingConnection<T> {
  /** A Set: a waiter that times out leaves in constant time, and the others stay in arrival order. */
  private readonly waiters = new Set<Waiter<T>>();

  /** How many are waiting. */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves with the next connection given to `connected`. With `timeoutMs`, rejects NOT_CONNECTED after it,
   * naming `publishWaitMs` (the wait the caller was allowed in all, of which `timeoutMs` may be the rest).
   */
  next(timeoutMs?: number, publishWaitMs = timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (timeoutMs === undefined) {
        this.waiters.add({ resolve, reject });
        return;
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ConnectionError('NOT_CONNECTED', `broker unavailable for more than ${publishWaitMs} ms`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Every waiter gets `connection`. */
  connected(connection: T): void {
    for (const w of this.#takeAll()) w.resolve(connection);
  }

  /** Every waiter gets `err` (the transport closed). */
  fail(err: Error): void {
    for (const w of this.#takeAll()) w.reject(err);
  }

  #takeAll(): Waiter<T>[] {
    const all = [...this.waiters];
    this.waiters.clear();
    return all;
  }
}
