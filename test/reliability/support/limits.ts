/**
 * The most a scenario may take before the runner fails it (and runs its `after` hooks, which restore the
 * broker). Scenarios take 15..50 s; this only stops a hang from blocking the whole test run.
 */
export const SCENARIO_TIMEOUT_MS = 180_000;
