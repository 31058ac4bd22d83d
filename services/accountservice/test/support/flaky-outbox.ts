import type { OutboxEntry, OutboxReader } from '../../src/index.js';

/**
 * An outbox whose `peek` throws (as a damaged entry in the store would) for its first `failures` calls, or
 * until `heal()`; everything else goes to the real outbox. `peeked(n)` resolves once `peek` was called n
 * times, so a test waits on the relay's attempts instead of on time.
 */
export class FlakyOutbox implements OutboxReader {
  readonly #inner: OutboxReader;
  #failuresLeft: number;
  #calls = 0;
  #waiters: { n: number; resolve: () => void }[] = [];

  constructor(inner: OutboxReader, failures: number | 'always') {
    this.#inner = inner;
    this.#failuresLeft = failures === 'always' ? Infinity : failures;
  }

  heal(): void {
    this.#failuresLeft = 0;
  }

  peeked(n: number): Promise<void> {
    if (this.#calls >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  peek(limit: number, skip?: ReadonlySet<number>): OutboxEntry[] | Promise<OutboxEntry[]> {
    this.#calls++;
    for (const w of this.#waiters.filter((w) => this.#calls >= w.n)) w.resolve();
    this.#waiters = this.#waiters.filter((w) => this.#calls < w.n);
    if (this.#failuresLeft > 0) {
      this.#failuresLeft--;
      throw new SyntaxError('Unexpected token in a damaged outbox entry');
    }
    return this.#inner.peek(limit, skip);
  }

  remove(seqs: readonly number[]): Promise<void> {
    return this.#inner.remove(seqs);
  }

  onRecorded(listener: () => void): () => void {
    return this.#inner.onRecorded(listener);
  }

  get depth(): number {
    return this.#inner.depth;
  }

  oldestRecordedAt(): number | undefined {
    return this.#inner.oldestRecordedAt();
  }
}
