// A steady stream of account reads, VIP and non-VIP, at a paced rate with a few requests in flight,
// recording what each one got. A VIP read's 200 is a promise that its notification is counted once.
import { setTimeout as delay } from 'node:timers/promises';

export interface LoadOptions {
  /** Where the accountservice is now (it may be restarted on the same port). */
  readonly accountUrl: () => string;
  /** Requests per second, all kinds together (default 300). */
  readonly ratePerSecond?: number;
  /** Requests in flight at most (default 6). */
  readonly concurrency?: number;
  /** The VIP account read (default 10000). */
  readonly vipId?: string;
  /** Share of VIP reads, 0..1 (default 0.5; 1 reads only the VIP account). */
  readonly vipShare?: number;
  /** Non-VIP ids read round robin (default 10001..10099). */
  readonly nonVipIds?: readonly string[];
  /**
   * A request that takes longer counts as failed: a hang guard (a response that never comes), deliberately
   * far above any latency a loaded machine shows. How slow the slowest answer was is `slowestMs`, a figure.
   * Default 30 s.
   */
  readonly requestTimeoutMs?: number;
}

export interface LoadStats {
  readonly sent: number;
  readonly vipSent: number;
  /** VIP reads answered 200: each must be counted exactly once by the vipservice. */
  readonly vip200: number;
  /**
   * VIP reads that reached the service but got no HTTP answer (reset, timed out: the accountservice was
   * killed under them). They may or may not have been recorded, so they may or may not be counted.
   */
  readonly vipNoAnswer: number;
  /** VIP reads refused at connect (nothing listening): never seen by the service, never counted. */
  readonly vipRefused: number;
  readonly nonVipSent: number;
  readonly nonVip200: number;
  /** HTTP statuses other than 200, with how often, by kind ("vip 503": 3). */
  readonly otherStatuses: Readonly<Record<string, number>>;
  /** Requests without any HTTP answer, by kind and error. */
  readonly noAnswer: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** The longest any answered request took, in ms (reported, not asserted). */
  readonly slowestMs: number;
}

/** A running load; `stop()` waits for requests in flight and resolves with the final figures. */
export interface Load {
  /** The figures so far. */
  stats(): LoadStats;
  /** Resolves once `vip200` has grown by `more` from now; rejects after `timeoutMs` with the figures. */
  vip200Grows(more: number, timeoutMs: number): Promise<void>;
  stop(): Promise<LoadStats>;
}

/** Starts the load at once; it runs until `stop()`. */

export function startLoad(options: LoadOptions): Load {
  const rate = options.ratePerSecond ?? 300;
  const vipId = options.vipId ?? '10000';
  const vipShare = options.vipShare ?? 0.5;
  const nonVip = options.nonVipIds ?? Array.from({ length: 99 }, (_, i) => String(10001 + i));
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const started = Date.now();
  const counts = {
    sent: 0,
    vipSent: 0,
    vip200: 0,
    vipNoAnswer: 0,
    vipRefused: 0,
    nonVipSent: 0,
    nonVip200: 0,
  };
  const otherStatuses: Record<string, number> = {};
  const noAnswer: Record<string, number> = {};
  let slowestMs = 0;
  let slot = 0;
  const state = { running: true };
  // A call, not a property read: the flag changes while a worker awaits.
  const running = (): boolean => state.running;
  let ended = 0;
  const waiters = new Set<() => void>();

  const one = async (n: number): Promise<void> => {
    // Deterministic mix: every k-th request is a VIP read, the rest walk the non-VIP ids.
    const vip = Math.floor((n + 1) * vipShare) > Math.floor(n * vipShare);
    const id = vip ? vipId : (nonVip[n % nonVip.length] ?? '10001');
    const kind = vip ? 'vip' : 'non-vip';
    counts.sent++;
    if (vip) counts.vipSent++;
    else counts.nonVipSent++;
    try {
      const sentAt = Date.now();
      const res = await fetch(`${options.accountUrl()}/accounts/${id}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      slowestMs = Math.max(slowestMs, Date.now() - sentAt);
      if (res.status === 200) {
        if (vip) {
          counts.vip200++;
          for (const wake of [...waiters]) wake();
        } else counts.nonVip200++;
      } else {
        const key = `${kind} ${res.status}`;
        otherStatuses[key] = (otherStatuses[key] ?? 0) + 1;
      }
    } catch (err) {
      const reason = describe(err);
      if (vip && reason === 'ECONNREFUSED') counts.vipRefused++;
      else if (vip) counts.vipNoAnswer++;
      const key = `${kind} ${reason}`;
      noAnswer[key] = (noAnswer[key] ?? 0) + 1;
    }
  };

  const worker = async (): Promise<void> => {
    while (running()) {
      const n = slot++;
      // Pacing, not waiting for async work: request n is due at n / rate seconds after the start.
      const due = started + (n * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await delay(wait);
      if (!running()) break;
      await one(n);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 6 }, () => worker());

  const stats = (): LoadStats => ({
    ...counts,
    otherStatuses: { ...otherStatuses },
    noAnswer: { ...noAnswer },
    durationMs: (ended || Date.now()) - started,
    slowestMs,
  });
  return {
    stats,
    vip200Grows(more, timeoutMs) {
      const target = counts.vip200 + more;
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (counts.vip200 < target) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(
              `load: VIP 200s did not reach ${target} in ${timeoutMs} ms: ${JSON.stringify(stats())}`,
            ),
          );
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async stop() {
      state.running = false;
      await Promise.all(workers);
      ended = Date.now();
      return stats();
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timeout';
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    return err.message;
  }
  return String(err);
}
