import { BROKER_URL, freePort, startService, waitUntil } from '@goblog/testkit';
import type { RunningService } from '@goblog/testkit';

export interface HealthBody {
  readonly status: 'UP' | 'DOWN';
  readonly checks: Record<string, { ok: boolean }>;
  readonly outbox: { readonly depth: number; readonly oldestAgeSeconds: number };
}

/** The accountservice as a real process on a free port, with its own data_dir and VIP queue. */
export async function startAccountservice(options: {
  dataDir: string;
  vipQueue: string;
  /** VIP_ACCOUNT_IDS; when left out, the configuration (config-repo or CONFIG_REPO) decides. */
  vipIds?: readonly string[];
  port?: number;
  env?: Record<string, string>;
  waitHealthy?: boolean;
}): Promise<RunningService> {
  return startService('accountservice', {
    port: options.port ?? (await freePort()),
    waitHealthy: options.waitHealthy ?? true,
    env: {
      DATA_DIR: options.dataDir,
      VIP_QUEUE: options.vipQueue,
      ...(options.vipIds ? { VIP_ACCOUNT_IDS: options.vipIds.join(',') } : {}),
      AMQP_SERVER_URL: BROKER_URL,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      ...options.env,
    },
  });
}

export async function health(service: RunningService): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`${service.baseUrl}/health`);
  return { status: res.status, body: (await res.json()) as HealthBody };
}

/** Waits (polling /health, bounded) until the outbox is empty and the service is UP. */
export async function waitUntilDrained(service: RunningService, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    async () => {
      const h = await health(service).catch(() => undefined);
      return h?.status === 200 && h.body.outbox.depth === 0;
    },
    timeoutMs,
    () => `${service.name} UP with an empty outbox`,
  );
}

/** GET /accounts/{id}; fails the request if it takes longer than `timeoutMs` (a hung response, not a slow one). */
export async function readAccount(service: RunningService, id: string, timeoutMs = 5000): Promise<number> {
  const res = await fetch(`${service.baseUrl}/accounts/${id}`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.status;
}

/** Account ids 10000.. as strings. */
export function accountIds(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => String(10000 + from + i));
}
