import pino from 'pino';

type SonicBoom = ReturnType<typeof pino.destination>;

/** sonic-boom in `contentMode: 'buffer'` takes bytes; its typings know only strings. */
type ByteSink = { write(bytes: Buffer): boolean } & Omit<SonicBoom, 'write'>;

/**
 * stdout for JSON lines, the lines of one event-loop turn written together, at the end of that turn
 * (setImmediate): a consumer working through a backlog logs a line per message, and one write per line cost
 * a system call each. A line waits at most for the rest of its turn; pino's `flush` (what the shutdown
 * awaits before it exits) writes the pending lines first.
 * - The write is synchronous, as pino's own stdout destination: it returns once the kernel holds the lines,
 *   so an exit or a crash after a turn loses none of them, and a reader that falls behind slows the writer
 *   instead of growing a buffer in the process. An asynchronous write went through the thread pool the
 *   store's commits use, and cost the consumer more per line than the system call it saved.
 * - The batch is encoded to UTF-8 once and handed over as bytes: given a string, sonic-boom measures it and
 *   the write encodes it again.
 */
export class TurnBatchedStdout {
  readonly #sonic = pino.destination({
    sync: true,
    contentMode: 'buffer',
  }) as unknown as ByteSink;
  #pending = '';
  #scheduled = false;
  readonly #drain = (): void => {
    this.#scheduled = false;
    const lines = this.#pending;
    this.#pending = '';
    if (lines.length > 0) this.#sonic.write(Buffer.from(lines, 'utf8'));
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
