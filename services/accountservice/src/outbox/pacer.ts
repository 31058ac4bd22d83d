/** Why the relay is woken: a record was committed, or something that must not wait (reconnect, stop). */
export type Wake = 'recorded' | 'urgent';

/**
 * What the relay sleeps for: `work` until a wake-up; `backoff` (after a failure) and `defer` (while requests
 * saturate the process) for at most their time, and a record does not cut them short.
 */
export type SleepKind = 'work' | 'backoff' | 'defer';

/**
 * The relay's scheduling, apart from its job: one sleeper at a time, woken by `wake` or its timer.
 * Guarantees:
 * - a wake-up that comes while nobody sleeps is kept for the next `sleep` (nothing is lost between rounds),
 *   until `beginRound` clears it;
 * - a `recorded` wake-up ends a `work` sleep, never a `backoff` or `defer` one (under load that would make
 *   the relay a busy loop); an `urgent` one ends any sleep;
 * - after `stop`, every sleep resolves at once.
 */
export class Pacer {
  #pending: Wake | undefined;
  #wakeUp: (() => void) | undefined;
  #sleepingFor: SleepKind = 'work';
  #stopped = false;

  /** A round starts: wake-ups before it are answered by it. */
  beginRound(): void {
    this.#pending = undefined;
  }

  wake(reason: Wake): void {
    if (reason === 'recorded' && this.#wakeUp !== undefined && this.#sleepingFor !== 'work') return;
    const wakeUp = this.#wakeUp;
    if (wakeUp === undefined) {
      if (this.#pending !== 'urgent') this.#pending = reason;
      return;
    }
    this.#wakeUp = undefined;
    wakeUp();
  }

  /** Resolves on a wake-up, or after `ms` for `backoff` and `defer` (see the class guarantees). */
  sleep(kind: SleepKind, ms = 0): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (kind === 'work' && this.#pending !== undefined) return Promise.resolve();
    if (kind !== 'work' && this.#pending === 'urgent') return Promise.resolve();
    this.#sleepingFor = kind;
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
      if (kind !== 'work') {
        timer = setTimeout(() => {
          this.#wakeUp = undefined;
          resolve();
        }, ms);
      }
    });
  }

  /** Ends the sleep in progress and every later one at once. Safe to call twice. */
  stop(): void {
    this.#stopped = true;
    this.wake('urgent');
  }
}
