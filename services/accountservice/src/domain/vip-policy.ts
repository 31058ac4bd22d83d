/**
 * Which accounts count as VIP. Backed by a Set so the check on every read is O(1); `update` swaps the set
 * atomically when the configuration is refreshed (no restart).
 */
export class VipPolicy {
  #ids: ReadonlySet<string>;

  constructor(ids: Iterable<string>) {
    this.#ids = new Set(ids);
  }

  isVip(accountId: string): boolean {
    return this.#ids.has(accountId);
  }

  update(ids: Iterable<string>): void {
    this.#ids = new Set(ids);
  }

  get ids(): readonly string[] {
    return [...this.#ids];
  }
}
