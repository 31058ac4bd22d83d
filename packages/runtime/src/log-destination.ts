import pino from 'pino';

/**
 * Bytes the asynchronous stdout destination holds before it writes. Every batch is longer, so each is still
 * written at once. With sonic-boom's default (no minimum) `logger.flush(cb)` calls back at once, while
 * writes are still in flight, and an exit in that callback loses them; with a minimum it waits for them.
 */
const ASYNC_MIN_LENGTH = 1;

type SonicBoom = ReturnType<typeof pino.destination>;

/**
 * stdout for JSON lines, the lines of one event-loop turn handed to sonic-boom together, at the end of that
 * turn (setImmediate): a consumer working through a backlog logs a line per message, and one write per line
 * cost a system call and a thread-pool hand-off each. A line waits at most for the rest of its turn; pino's
 * `flush` (what the shutdown awaits before it exits) hands the pending lines over first.
 */
export class TurnBatchedStdout {
  readonly #sonic: SonicBoom = pino.destination({ sync: false, minLength: ASYNC_MIN_LENGTH });
  #pending = '';
  #scheduled = false;
  readonly #drain = (): void => {
    this.#scheduled = false;
    const lines = this.#pending;
    this.#pending = '';
    if (lines.length > 0) this.#sonic.write(lines);
  };

  write(line: string): boolean {
    this.#pending += line;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#drain);
    }
    return true;
  }

  flush(cb?: (err?: Error) => void): void {
    this.#drain();
    this.#sonic.flush(cb);
  }

  flushSync(): void {
    this.#drain();
    this.#sonic.flushSync();
  }
}

let lastMs = -1;
let lastTime = '';

/**
 * pino's isoTime (`,"time":"<RFC 3339>"`), the text made once per millisecond: a burst of lines within one
 * millisecond shares it instead of a Date and its formatting each.
 */
export function cachedIsoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}
