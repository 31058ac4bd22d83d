// The metric names a PromQL expression reads, so that a dashboard's queries can be checked against what
// the services expose. Not a full PromQL parser: it drops what cannot name a metric (strings, label
// matchers, ranges, grouping clauses, numbers, Grafana variables) and keeps identifiers that are not
// functions or keywords.
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values, legends)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // grouping labels
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables
    .replace(/(^|[^A-Za-z0-9_:])\d[A-Za-z0-9_.]*/g, '$1 '); // numbers and durations (1e9, 0.99, 5m)
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [token, call] = [match[0].replace(/\s*\($/, ''), match[1]];
    if (call !== undefined || KEYWORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

/** The first argument of Grafana's `label_values(metric, label)` variable query, if it is one. */
export function labelValuesMetric(query: string): string | undefined {
  return /^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(query)?.[1];
}

/** The metric families a Prometheus text exposition declares (its `# TYPE` lines), with their types. */
export function exposedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(match[1] ?? '', match[2] ?? '');
  return families;
}

/** Whether `name` is a series of a family in `families` (a histogram's or summary's _bucket, _sum, _count too). */
export function isExposed(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const type = base === undefined ? undefined : families.get(base);
  return type === 'histogram' || (type === 'summary' && !name.endsWith('_bucket'));
}
