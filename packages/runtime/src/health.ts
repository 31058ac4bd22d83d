/** One thing a service needs to do its job: the store is open, the broker connected, a consumer attached. */
export type HealthCheck = () => { readonly ok: boolean; readonly detail?: unknown };

export interface HealthReport {
  readonly status: 'UP' | 'DOWN';
  readonly checks: Record<string, { ok: boolean; detail?: unknown }>;
}

/** Collects named checks; the service is UP only while every check is ok. */
export class Health {
  readonly #checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): this {
    this.#checks.set(name, check);
    return this;
  }

  report(): HealthReport {
    const checks: HealthReport['checks'] = {};
    let up = true;
    for (const [name, check] of this.#checks) {
      let result: { ok: boolean; detail?: unknown };
      try {
        result = check();
      } catch (err) {
        result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      checks[name] = result;
      up &&= result.ok;
    }
    return { status: up ? 'UP' : 'DOWN', checks };
  }
}
