// A steady stream of VIP account reads with a few in flight, recording what each one got: every 200 is a
// promise that its notification gets counted exactly once by the vipservices.
import { setTimeout as delay } from 'node:timers/promises';

export interface LoadOptions {
  /** Where the accountservice is now (it may be restarted on the same port). */
  readonly accountUrl: () => string;
  readonly accountId?: string;
  /** Requests per second, all workers together (default 250). */
  readonly ratePerSecond?: number;
  /** Requests in flight at most (default 4). */
  readonly concurrency?: number;
}

export interface LoadStats {
  readonly sent: number;
  /** Answered 200: each must be counted once. */
  readonly ok: number;
  /** Other HTTP statuses by code (e.g. a 503 while the accountservice closes). */
  readonly statuses: Readonly<Record<string, number>>;
  /** No HTTP answer, by error code (ECONNREFUSED while the accountservice is away). */
  readonly noAnswer: Readonly<Record<string, number>>;
}

export interface Load {
  stats(): LoadStats;
  /** Resolves once `ok` has grown by `more` from now; rejects after `timeoutMs`. */
  okGrows(more: number, timeoutMs: number): Promise<void>;
  /** Stops sending, waits for the requests in flight, resolves with the final figures. */
  stop(): Promise<LoadStats>;
}

export function startLoad(options: LoadOptions): Load {
  const rate = options.ratePerSecond ?? 250;
  const workers = options.concurrency ?? 4;
  const accountId = options.accountId ?? '10000';
  const counts = { sent: 0, ok: 0 };
  const statuses: Record<string, number> = {};
  const noAnswer: Record<string, number> = {};
  const waiters = new Set<{ target: number; resolve: () => void }>();
  const state = { running: true };
  const running = (): boolean => state.running;
  const started = Date.now();
  let slot = 0;

  const one = async (): Promise<void> => {
    counts.sent++;
    try {
      const response = await fetch(`${options.accountUrl()}/accounts/${accountId}`, {
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) {
        counts.ok++;
        for (const w of waiters) if (counts.ok >= w.target) w.resolve();
      } else {
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      }
    } catch (err) {
      const code = errorCode(err);
      noAnswer[code] = (noAnswer[code] ?? 0) + 1;
    }
  };

  const worker = async (): Promise<void> => {
    while (running()) {
      // Pacing, not waiting for work: request n goes out no earlier than n / rate seconds after the start.
      const due = started + (slot++ * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await delay(wait);
      if (!running()) break;
      await one();
    }
  };
  const done = Promise.all(Array.from({ length: workers }, () => worker()));

  const stats = (): LoadStats => ({ ...counts, statuses: { ...statuses }, noAnswer: { ...noAnswer } });
  return {
    stats,
    okGrows(more, timeoutMs) {
      const target = counts.ok + more;
      return new Promise((resolve, reject) => {
        const waiter = {
          target,
          resolve: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `load: 200s did not reach ${String(target)} in ${String(timeoutMs)} ms: ${JSON.stringify(stats())}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async stop() {
      state.running = false;
      await done;
      return stats();
    },
  };
}

function errorCode(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return err.name;
}
