import { Writable } from 'node:stream';
import type { Logger } from '@goblog/messaging';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Readonly<Record<string, unknown>>;
  /** The message ('' when none was given). */
  readonly msg: string;
}

export interface CapturingLogger extends Logger {
  /** Every line logged so far, in order. */
  readonly lines: readonly LogLine[];
  /** Resolves with the first line (already logged or coming) that matches; rejects after `timeoutMs` (10 s). */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** A Logger that keeps what it is told, for asserting on what an operator would read. */
export function captureLogger(): CapturingLogger {
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg = ''): void => {
      const line = { level, obj: obj as Record<string, unknown>, msg };
      lines.push(line);
      for (const wake of [...waiters]) wake(line);
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const wake = (line: LogLine): void => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(line);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`expected log line did not come within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
  };
}

/**
 * A destination for a real (pino) logger that keeps each JSON line it is written, parsed, in `lines`: for
 * tests of what the service's own logger writes.
 */
export function captureJsonLines(): { destination: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { destination, lines };
}
