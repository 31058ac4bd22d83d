import type { Registry } from 'prom-client';

/** One label set's observations: per-bucket counts (not cumulative), their sum and count. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A bound child: what the hot path calls. */
export interface HistogramChild {
  observe(value: number): void;
}

interface MetricValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly metricName: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  readonly values: MetricValue[];
}

/**
 * A Prometheus histogram whose bound children observe into a typed array: no label hashing, validation or
 * allocation per observation (prom-client's Histogram does all three on every `observe`, bound child or
 * not). Exposed through the same registry, in the same text format: `<name>_bucket{le}` (cumulative,
 * `+Inf` included), `<name>_sum`, `<name>_count` per label set. Label values are fixed when a child is
 * bound; a value that is not finite is ignored (prom-client would throw on the hot path).
 */
export class TalliedHistogram<L extends string = string> {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: {
    readonly name: string;
    readonly help: string;
    readonly buckets: readonly number[];
    readonly registers: readonly Registry[];
  }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    // The registry asks only for name, type, get() and reset(): the protocol every prom-client metric keeps.
    for (const registry of options.registers)
      registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The child of one label set (the same one for equal labels). */
  child(labels: Readonly<Record<L, string>>): HistogramChild {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: { ...labels }, counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const s = series;
    const bounds = this.#bounds;
    return {
      observe(value: number): void {
        if (!Number.isFinite(value)) return;
        let i = 0;
        while (i < bounds.length && value > (bounds[i] as number)) i++;
        s.counts[i] = (s.counts[i] as number) + 1;
        s.sum += value;
        s.count++;
      },
    };
  }

  /**
   * What the registry formats: prom-client's own histogram layout (the bucket's `le` first, the label set
   * as shared labels, so the registry's default labels come between them, as for prom-client's
   * histograms), and only the label sets observed since the last reset, as prom-client shows them.
   */
  getForPromString(): Promise<MetricData> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.#series.values()) {
      if (s.count === 0) continue;
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ labels: { le }, sharedLabels: s.labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }

  /** The same, each value's labels in one object (prom-client's `get`, what JSON exports read). */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map((v) => ({
        ...v,
        labels: { ...v.labels, ...v.sharedLabels },
        sharedLabels: {},
      })),
    };
  }

  /** Zeroes every series (the registry's resetMetrics). */
  reset(): void {
    for (const s of this.#series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
