import type { Middleware } from '../transport.js';

/** Remembers which message ids were handled. Durable stores make dedup survive restarts. */
export interface DedupStore {
  has(messageId: string): boolean | Promise<boolean>;
  add(messageId: string): void | Promise<void>;
}

/** Skips a message whose id was already handled successfully (redelivery, or a publisher's retry). */
export function dedup<T>(store: DedupStore): Middleware<T> {
  return (next) => async (message, meta) => {
    const id = meta.messageId;
    if (id === undefined) {
      await next(message, meta); // nothing to dedup on (e.g. a publisher that sets no message_id)
      return;
    }
    if (await store.has(id)) return;
    await next(message, meta);
    await store.add(id);
  };
}

/** A bounded in-memory DedupStore: remembers the last `capacity` ids (oldest forgotten first). */
export function memoryDedupStore(capacity = 10_000): DedupStore {
  const seen = new Set<string>();
  return {
    has: (id) => seen.has(id),
    add: (id) => {
      seen.add(id);
      if (seen.size > capacity) {
        const oldest = seen.values().next();
        if (oldest.done !== true) seen.delete(oldest.value);
      }
    },
  };
}
