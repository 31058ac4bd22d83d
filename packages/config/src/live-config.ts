import { isDeepStrictEqual } from 'node:util';
import { silentLogger, type Logger } from '@goblog/messaging';
import { deepFreeze } from './resolve.js';

export type ChangeListener<T> = (
  next: Readonly<T>,
  previous: Readonly<T>,
  changedKeys: readonly string[],
) => void;

/** A service's configuration that can change while it runs. */
export interface LiveConfig<T> {
  /** The current value: deeply frozen, replaced as a whole (never mutated) by a refresh. */
  readonly current: Readonly<T>;
  /**
   * Called after each refresh that changed something, with the top-level keys that changed.
   * A throwing listener is logged and does not stop the others. Returns an unsubscribe function.
   */
  onChange(listener: ChangeListener<T>): () => void;
  /**
   * Refetches, validates and swaps the value atomically. Refreshes run one at a time, in call order.
   * Invalid or unreachable configuration: rejects with ConfigError and the old value stays.
   * Keys listed as restart keys keep their current value (logged as "needs a restart") and are not
   * reported as changed.
   */
  refresh(): Promise<{ changed: readonly string[] }>;
}

export function createLiveConfig<T extends object>(
  initial: Readonly<T>,
  fetchNext: () => Promise<Readonly<T>>,
  options: { restartKeys?: readonly string[]; logger?: Logger } = {},
): LiveConfig<T> {
  const logger = options.logger ?? silentLogger;
  const restartKeys = options.restartKeys ?? [];
  const listeners = new Set<ChangeListener<T>>();
  let current = deepFreeze(initial);
  let queue: Promise<unknown> = Promise.resolve();

  const apply = async (): Promise<{ changed: readonly string[] }> => {
    const fetched = await fetchNext();
    const previous = current;
    const prev = previous as Readonly<Record<string, unknown>>;
    const fresh = fetched as Readonly<Record<string, unknown>>;
    const held = restartKeys.filter((key) => !isDeepStrictEqual(prev[key], fresh[key]));
    let next = fetched;
    if (held.length > 0) {
      logger.warn(
        { keys: held },
        `configuration change of ${held.join(', ')} needs a restart to take effect; keeping the running values`,
      );
      const kept = Object.fromEntries(Object.entries(fresh).filter(([key]) => !held.includes(key)));
      for (const key of held) if (key in prev) kept[key] = prev[key];
      next = deepFreeze(kept) as Readonly<T>;
    }
    const nextRecord = next as Readonly<Record<string, unknown>>;
    const keys = new Set([...Object.keys(prev), ...Object.keys(nextRecord)]);
    const changed = [...keys].filter((key) => !isDeepStrictEqual(prev[key], nextRecord[key]));
    if (changed.length === 0) return { changed };
    current = next;
    logger.info({ changed }, 'configuration refreshed');
    for (const listener of [...listeners]) {
      try {
        listener(next, previous, changed);
      } catch (err) {
        logger.error({ err, changed }, 'a configuration change listener failed');
      }
    }
    return { changed };
  };

  return {
    get current() {
      return current;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    refresh() {
      const run = queue.then(apply);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
