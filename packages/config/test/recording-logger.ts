import type { Logger } from '@goblog/messaging';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

/** A Logger that keeps every entry and lets a test await the one it expects. */
export function recordingLogger(): Logger & {
  readonly entries: readonly LogEntry[];
  waitFor(predicate: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
} {
  const entries: LogEntry[] = [];
  const waiters = new Set<{ predicate: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }>();
  const record =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      const entry = { level, obj: obj as Record<string, unknown>, msg: msg ?? '' };
      entries.push(entry);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(entry)) {
          waiters.delete(waiter);
          waiter.resolve(entry);
        }
      }
    };
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = entries.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (entry: LogEntry) => {
            clearTimeout(timer);
            resolve(entry);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`expected log entry did not come within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
