/**
 * At most `limit` holders at once; the others wait in arrival order, without a deadline. Each acquire and
 * release is constant time, however many wait.
 */
export class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.#free = limit;
  }

  /** Resolves once a slot is this caller's; `release` it exactly once. */
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot to the longest waiting caller, or frees it. */
  release(): void {
    const next = this.#waiting[this.#head];
    if (next === undefined) {
      this.#free++;
      return;
    }
    this.#waiting[this.#head++] = noop;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    next();
  }
}

function noop(): void {}
