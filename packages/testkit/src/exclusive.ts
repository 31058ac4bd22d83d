// A lock across the processes of this machine, for test files that share one resource they disturb (the
// local cluster, whose nodes they kill) while the runner runs files side by side. It is a listening socket in
// Linux's abstract namespace: binding it is atomic, and the kernel releases it when its holder exits, however
// it exits (kill -9 included), so a lock is never left stale.
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

function tryBind(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    });
    server.listen({ path: `\0goblog-test-lock.${name}` }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/**
 * Waits until this process holds the lock `name` (at most `timeoutMs`), and resolves with its release (safe
 * to call twice).
 */
export async function holdExclusive(name: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const server = await tryBind(name);
    if (server !== undefined) {
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await new Promise<void>((resolve) =>
          server.close(() => {
            resolve();
          }),
        );
      };
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${name}`);
    await delay(100);
  }
}
