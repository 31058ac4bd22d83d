import { httpRequest, requestErrorCode } from '@goblog/config';
import { parseSamples } from './prometheus.js';
import type { Sample } from './prometheus.js';

/** What one look at an instance found. */
export interface ProbeResult {
  readonly up: boolean;
  /** Why it is DOWN: the failing checks, or why it did not answer. */
  readonly reason: string | undefined;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: unknown }>>;
  readonly samples: readonly Sample[];
}

const MAX_HEALTH_BYTES = 64 * 1024;
const MAX_METRICS_BYTES = 2 * 1024 * 1024;

/**
 * GET /health then GET /metrics of one instance, each bounded in time and size. UP only on a 200 from
 * /health; a 503 names the failing checks; no answer names what went wrong (refused, timed out). Never throws.
 */
export async function probeInstance(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  let checks: ProbeResult['checks'] = {};
  let status: number;
  try {
    const response = await httpRequest(`${baseUrl}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
      maxBytes: MAX_HEALTH_BYTES,
    });
    status = response.status;
    checks = checksOf(response.text());
  } catch (err) {
    return { up: false, reason: `no answer on /health: ${unreachable(err, timeoutMs)}`, checks, samples: [] };
  }
  const up = status === 200;
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name, c]) => (c.detail === undefined ? name : `${name} (${short(c.detail)})`));
  const reason = up
    ? undefined
    : failing.length > 0
      ? `failing: ${failing.join(', ')}`
      : `/health answered ${status}`;
  let samples: Sample[] = [];
  try {
    const response = await httpRequest(`${baseUrl}/metrics`, {
      signal: AbortSignal.timeout(timeoutMs),
      maxBytes: MAX_METRICS_BYTES,
      readBody: (status) => status === 200,
    });
    if (response.status === 200) samples = parseSamples(response.text());
  } catch {
    // Figures are extra: an instance whose /metrics is slow keeps its health status.
  }
  return { up, reason, checks, samples };
}

function checksOf(text: string): ProbeResult['checks'] {
  try {
    const body = JSON.parse(text) as { checks?: unknown };
    if (typeof body.checks !== 'object' || body.checks === null) return {};
    const checks: Record<string, { ok: boolean; detail?: unknown }> = Object.create(null) as Record<
      string,
      { ok: boolean; detail?: unknown }
    >;
    for (const [name, value] of Object.entries(body.checks as Record<string, unknown>).slice(0, 50)) {
      if (typeof value !== 'object' || value === null) continue;
      const { ok, detail } = value as { ok?: unknown; detail?: unknown };
      checks[name.slice(0, 100)] = {
        ok: ok === true,
        ...(detail === undefined ? {} : { detail: short(detail) }),
      };
    }
    return checks;
  } catch {
    return {};
  }
}

function unreachable(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = requestErrorCode(err);
  if (code !== undefined) return code === 'ECONNREFUSED' ? 'connection refused' : code;
  return err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
