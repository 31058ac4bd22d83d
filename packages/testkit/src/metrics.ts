/**
 * The sum of a Prometheus sample on `baseUrl`/metrics over every label set that contains `labels` (e.g.
 * `outcome="duplicate"`); 0 when the series is absent. The scrape is bounded: a hung /metrics fails.
 */
export async function metricValue(baseUrl: string, name: string, labels = ''): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
