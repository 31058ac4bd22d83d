import type { Logger } from '../logger.js';
import type { MessagingMetrics } from '../metrics.js';
import { OptionChecks } from '../options.js';
import type { MemoryBroker } from './broker.js';

export interface MemoryTransportOptions {
  /** Share one broker between transports to play several processes (competing consumers, pub/sub). */
  readonly broker?: MemoryBroker;
  readonly appId?: string;
  readonly logger?: Logger;
  readonly metrics?: MessagingMetrics;
  /** Bound on waiting for handlers in flight at close. Default 10 000. */
  readonly closeTimeoutMs?: number;
  /** Default timeout of the waitFor* probes. Default 5000. */
  readonly waitTimeoutMs?: number;
}

/** The defaults of createMemoryTransport's options, in one place. */
export const MEMORY_DEFAULTS = { closeTimeoutMs: 10_000, waitTimeoutMs: 5000 } as const;

/** The numeric options with their defaults applied; MessagingError INVALID_OPTIONS naming every bad one. */
export function normalizeMemoryOptions(
  options: MemoryTransportOptions,
): Required<Pick<MemoryTransportOptions, keyof typeof MEMORY_DEFAULTS>> {
  const d = MEMORY_DEFAULTS;
  const check = new OptionChecks('createMemoryTransport');
  const normalized = {
    closeTimeoutMs: check.integer('closeTimeoutMs', options.closeTimeoutMs, d.closeTimeoutMs, 0),
    waitTimeoutMs: check.integer('waitTimeoutMs', options.waitTimeoutMs, d.waitTimeoutMs, 1),
  };
  check.done();
  return normalized;
}
