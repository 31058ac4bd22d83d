/** A message in a confirm window: written once, then settled once. */
export interface Confirmable {
  settled: boolean;
  /** When it was written, performance.now(). */
  since: number;
}

/**
 * The messages written on one confirm channel and not yet settled, by delivery tag. The broker numbers the
 * messages of a channel 1, 2, 3... in the order they were written, and confirms each once, alone or with all
 * before it (`multiple`). Every message is settled exactly once: by its confirm, or by `expire`.
 */
export class ConfirmWindow<M extends Confirmable> {
  /** slots[i] has delivery tag firstTag + i; a settled slot stays until the ones before it are settled. */
  private slots: (M | undefined)[] = [];
  private firstTag = 1;
  private unsettled = 0;

  /** Messages written and not settled. */
  get size(): number {
    return this.unsettled;
  }

  /** A new channel numbers from 1 again. Returns the messages that were written and not settled. */
  reset(): M[] {
    const pending = this.slots.filter((m): m is M => m !== undefined && !m.settled);
    this.slots = [];
    this.firstTag = 1;
    this.unsettled = 0;
    return pending;
  }

  /** `m` was written: it has the next delivery tag. */
  add(m: M): void {
    this.slots.push(m);
    this.unsettled++;
  }

  /** The last `add` did not write anything after all: its tag was not used. */
  undoAdd(): void {
    if (this.slots.pop() !== undefined) this.unsettled--;
  }

  /** The broker confirmed `tag` (and every tag before it when `multiple`): `settle` runs for each message not yet settled. */
  confirm(tag: number, multiple: boolean, settle: (m: M) => void): void {
    const slots = this.slots;
    if (multiple) {
      while (slots.length > 0 && this.firstTag <= tag) {
        const m = slots.shift();
        this.firstTag++;
        if (m !== undefined) this.settle(m, settle);
      }
      return;
    }
    const i = tag - this.firstTag;
    if (i < 0 || i >= slots.length) return;
    const m = slots[i];
    slots[i] = undefined;
    if (m !== undefined) this.settle(m, settle);
    this.compact();
  }

  /**
   * `expired` runs for each message not settled whose `since` is at or before `deadline`, in the order they were
   * written. All are looked at: a message written again after a failover may carry an earlier `since` than one
   * written before it.
   */
  expire(deadline: number, expired: (m: M) => void): void {
    for (const m of this.slots) {
      if (m === undefined || m.settled || m.since > deadline) continue;
      this.settle(m, expired);
    }
    this.compact();
  }

  private settle(m: M, fn: (m: M) => void): void {
    if (m.settled) return;
    m.settled = true;
    this.unsettled--;
    fn(m);
  }

  private compact(): void {
    const slots = this.slots;
    while (slots.length > 0 && (slots[0] === undefined || slots[0].settled)) {
      slots.shift();
      this.firstTag++;
    }
  }
}
