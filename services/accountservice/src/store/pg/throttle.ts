/**
 * Runs `action` on `trigger`, at most once every `intervalMs`: a trigger within the interval is answered by
 * one run at its end (however many came), none is dropped. `stop` cancels what is pending.
 */
export class Throttle {
  readonly #intervalMs: number;
  readonly #action: () => void;
  #quietUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(intervalMs: number, action: () => void) {
    this.#intervalMs = intervalMs;
    this.#action = action;
  }

  trigger(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const now = performance.now();
    if (now >= this.#quietUntil) {
      this.#run(now);
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#run(performance.now());
    }, this.#quietUntil - now);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #run(now: number): void {
    this.#quietUntil = now + this.#intervalMs;
    this.#action();
  }
}
