import pg from 'pg';
import { DatabaseError } from './errors.js';

/** A connection that gives up connecting after `timeoutMs` (the pool's own timeout would bound its queue). */
export function boundedClient(timeoutMs: number): new () => pg.Client {
  return class extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: timeoutMs,
      });
    }
  };
}

/**
 * A connection of `pool`, within `waitMs` when given. Running out of that time while every connection is in
 * use says nothing about the server: the call fails UNAVAILABLE (the caller answers 503) without `failed`
 * hearing of it, so the database stays UP; a connection handed over late goes back to the pool, and a
 * connection attempt that fails late is the server's failure (`failed`). `failed` maps every other failure.
 */
export async function checkout(
  pool: pg.Pool,
  waitMs: number | undefined,
  poolSize: number,
  failed: (err: unknown) => DatabaseError,
): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  if (waitMs === undefined) return connecting.catch((err: unknown) => Promise.reject(failed(err)));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, waitMs, undefined);
  });
  try {
    const client = await Promise.race([connecting, timedOut]);
    if (client !== undefined) return client;
  } catch (err) {
    throw failed(err);
  } finally {
    clearTimeout(timer);
  }
  connecting.then(
    (late) => {
      late.release();
    },
    (err: unknown) => {
      failed(err);
    },
  );
  throw new DatabaseError(
    'UNAVAILABLE',
    `no database connection free within ${waitMs} ms (${poolSize} in use)`,
  );
}
