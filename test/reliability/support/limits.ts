/**
 * The most a scenario may take before the runner fails it (and runs its `after` hooks, which restore the
 * broker). Scenarios take 15..50 s; this only stops a hang from blocking the whole test run.
 */
export const SCENARIO_TIMEOUT_MS = 180_000;

/**
 * How long a scenario waits for an outside event that should take seconds (a service UP again, a fault seen,
 * a restarted process healthy) before it fails with "did not happen at all". Deliberately far above the
 * figures measured on a loaded 2-core VM (up to 7 s): these bounds catch hangs, they are not the recovery
 * SLA. The measured times are reported as figures (reportFigures, RELIABILITY_FIGURES).
 */
export const HANG_GUARD_MS = 60_000;
