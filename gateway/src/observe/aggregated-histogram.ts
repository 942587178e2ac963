// A Prometheus histogram whose label sets are resolved once. prom-client's
// `histogram.observe(labels, v)` validates and hashes the label object on every call (about a
// microsecond each); on the request path the gateway keeps a `HistogramSeries` per label set and
// observes into it directly. The histogram registers on a prom-client Registry and renders
// exactly like prom-client's own Histogram (same `_bucket`/`_sum`/`_count` lines, `le` first).
import type { Histogram, Registry } from 'prom-client';

/** Counts for one label set: `observe` is a bucket search and three additions. */
export class HistogramSeries {
  /** Count per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    private readonly upperBounds: readonly number[],
    readonly labels: Readonly<Record<string, string>>,
  ) {
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

/** One exported sample, in the shape prom-client's Registry formats. */
interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  metricName: string;
}

export interface AggregatedHistogramOptions<T extends string> {
  name: string;
  help: string;
  labelNames: readonly T[];
  buckets: readonly number[];
  registers: readonly Registry[];
}

export class AggregatedHistogram<T extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly T[];
  private readonly bounds: readonly number[];
  private readonly seriesByKey = new Map<string, HistogramSeries>();

  constructor(options: AggregatedHistogramOptions<T>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    // The Registry duck-types its metrics (name, help, type, get, getForPromString, reset).
    for (const registry of options.registers) registry.registerMetric(this as unknown as Histogram<T>);
  }

  /** The series for one label set, created on first use. Callers keep it to skip this lookup. */
  series(labels: Readonly<Record<T, string>>): HistogramSeries {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name]}\u0000`;
    let series = this.seriesByKey.get(key);
    if (series === undefined) {
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      series = new HistogramSeries(this.bounds, own);
      this.seriesByKey.set(key, series);
    }
    return series;
  }

  observe(labels: Readonly<Record<T, string>>, value: number): void {
    this.series(labels).observe(value);
  }

  /** Zeroes every series in place: callers may hold them. */
  reset(): void {
    for (const series of this.seriesByKey.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }

  /** Registry.metrics() renders from this: label sets as shared labels, `le` in front. */
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const series of this.seriesByKey.values()) {
      // A label set only appears once something was observed under it, as with prom-client.
      if (series.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.counts[i] as number;
        values.push({ value: cumulative, labels: { le: this.bounds[i] as number }, sharedLabels: series.labels, metricName: bucketName });
      }
      values.push({ value: series.count, labels: { le: '+Inf' }, sharedLabels: series.labels, metricName: bucketName });
      values.push({ value: series.sum, labels: {}, sharedLabels: series.labels, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels: {}, sharedLabels: series.labels, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Registry.getMetricsAsJSON() reads this: each sample with all its labels. */
  async get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: Array<{ value: number; labels: Record<string, string | number>; metricName: string }>;
  }> {
    const exported = await this.getForPromString();
    return {
      ...exported,
      values: exported.values.map(({ value, labels, sharedLabels, metricName }) => ({
        value,
        labels: { ...labels, ...sharedLabels },
        metricName,
      })),
    };
  }
}
