/** The database as /health shows it. */
export interface AvailabilityReport {
  readonly ok: boolean;
  readonly detail: { readonly url: string; readonly error?: string };
}

/**
 * Whether the database answers, as the calls made on it and a periodic probe see it: the last outcome wins.
 * Listeners hear each change (DOWN -> UP is what wakes work that waited for the database).
 */
export class Availability {
  readonly #masked: string;
  readonly #listeners = new Set<(up: boolean) => void>();
  #up = true;
  #error: string | undefined;

  constructor(maskedUrl: string) {
    this.#masked = maskedUrl;
  }

  get up(): boolean {
    return this.#up;
  }

  succeeded(): void {
    if (this.#up) return;
    this.#up = true;
    this.#error = undefined;
    for (const listener of this.#listeners) listener(true);
  }

  /** `message` is already free of secrets. */
  failed(message: string): void {
    this.#error = message;
    if (!this.#up) return;
    this.#up = false;
    for (const listener of this.#listeners) listener(false);
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  report(): AvailabilityReport {
    return {
      ok: this.#up,
      detail: { url: this.#masked, ...(this.#error === undefined ? {} : { error: this.#error }) },
    };
  }
}
