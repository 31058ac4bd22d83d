import type { Counter, LabelValues } from 'prom-client';

/**
 * Increments of one labelled child of a prom-client Counter, kept in a plain number and added to the counter
 * when a scrape collects it: prom-client's bound children (`counter.labels(...)`) still hash and validate
 * their labels on every `inc`, which a per-message hot path pays for each counter. A scrape sees every
 * increment made before it (the counter's `collect` flushes first).
 */
export class CounterTally<L extends string = string> {
  #pending = 0;

  constructor(
    private readonly counter: Counter<L>,
    private readonly labels: LabelValues<L>,
  ) {}

  inc(): void {
    this.#pending++;
  }

  /** Adds what was counted since the last flush to the counter. */
  flush(): void {
    if (this.#pending === 0) return;
    const n = this.#pending;
    this.#pending = 0;
    this.counter.inc(this.labels, n);
  }
}

/** The tallies of one counter, and the `collect` hook that flushes them (pass it to the Counter). */
export class Tallies<L extends string = string> {
  readonly #all: CounterTally<L>[] = [];
  readonly collect = (): void => {
    for (const t of this.#all) t.flush();
  };

  of(counter: Counter<L>, labels: LabelValues<L>): CounterTally<L> {
    const tally = new CounterTally(counter, labels);
    this.#all.push(tally);
    return tally;
  }
}
