import { spawnNode } from './process.js';
import type { NodeProcess } from './process.js';
import { waitUntil } from './wait.js';

export type ServiceName = 'accountservice' | 'vipservice' | 'configserver';

export interface RunningService extends Omit<NodeProcess, 'stop'> {
  readonly name: ServiceName;
  readonly port: number;
  readonly baseUrl: string;
  /** SIGTERM; resolves with the exit code, rejects (after a SIGKILL) if it is still running `timeoutMs` later. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface StartOptions {
  readonly port: number;
  /** The environment beyond PATH, HOME and SERVER_PORT. */
  readonly env?: Record<string, string>;
  /** Wait until GET /health answers 200. Default true. */
  readonly waitHealthy?: boolean;
  /** How long it may take to be healthy (default 20 s); a hang guard. */
  readonly timeoutMs?: number;
}

/**
 * How a test runs a service's process. `npm test` builds first and sets GOBLOG_TEST_BUILT=1: then the
 * service runs from its build (`services/NAME/dist/main.js`), exactly as `npm start` runs it, and starts in a
 * fraction of the time tsx needs to compile it on the fly. Without it (one test file run by hand, right
 * after an edit) it runs from its TypeScript sources through tsx, so it is never a stale build.
 */
export function serviceArgs(name: string): string[] {
  return process.env.GOBLOG_TEST_BUILT === '1'
    ? [`services/${name}/dist/main.js`]
    : ['--import', 'tsx', '--conditions=source', `services/${name}/src/main.ts`];
}

/**
 * Starts a service as a real process (from its build or its sources: see `serviceArgs`). Resolves once it
 * answers 200 on /health (unless `waitHealthy: false`); a service that exits or stays unhealthy is killed
 * and the call rejects with its last lines.
 */
export async function startService(name: ServiceName, options: StartOptions): Promise<RunningService> {
  const proc = spawnNode(serviceArgs(name), {
    env: { SERVER_PORT: String(options.port), ...options.env },
    label: `${name}:${options.port}`,
  });
  const service: RunningService = {
    ...proc,
    name,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    stop: (timeoutMs) => proc.stop({ timeoutMs: timeoutMs ?? 15_000 }),
  };
  if (options.waitHealthy ?? true) {
    try {
      await waitUntil(
        async () => (await fetch(`${service.baseUrl}/health`).catch(() => undefined))?.status === 200,
        options.timeoutMs ?? 20_000,
        () => `${name} on ${options.port} not healthy; last lines:\n${proc.lines.slice(-10).join('\n')}`,
        () => proc.child.exitCode !== null,
      );
    } catch (err) {
      await proc.kill();
      throw err;
    }
  }
  return service;
}
