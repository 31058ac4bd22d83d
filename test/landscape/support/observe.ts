// Reading a running landscape from the outside: offers, Prometheus series, JSON log lines.

export interface Offer {
  readonly accountId: string;
  readonly offerId: string;
  readonly createdAt: string;
  readonly notifications: number;
  readonly lastReadAt: string;
}

/** GET /offers/{accountId}: the offer, or undefined on 404 (nothing handled for that account yet). */
export async function offerOf(vipserviceUrl: string, accountId: string): Promise<Offer | undefined> {
  const response = await fetch(`${vipserviceUrl}/offers/${accountId}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (response.status !== 200) throw new Error(`GET /offers/${accountId}: HTTP ${String(response.status)}`);
  return (await response.json()) as Offer;
}

/** The notifications counted for an account so far (0 before its offer exists). */
export async function notificationsOf(vipserviceUrl: string, accountId = '10000'): Promise<number> {
  return (await offerOf(vipserviceUrl, accountId))?.notifications ?? 0;
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** GET /metrics as samples (Prometheus text format; comments skipped). */
export async function scrape(baseUrl: string): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics: HTTP ${String(response.status)}`);
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) if (key) labels[key] = value ?? '';
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Samples of `name` whose labels include every one of `labels`. */
export function find(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** A log line as JSON, or undefined when it is not one (a runner's prefix is stripped first). */
export function jsonLine(line: string): Record<string, unknown> | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(start));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
