/**
 * The Prometheus text exposition format, version 0.0.4, written by hand: a few families of plain
 * numbers need no client library (prom-client brings a registry, default process collectors and
 * timers the Pi does not need). Pure: families in, text out.
 *
 * Contract:
 * - One `# HELP` and one `# TYPE` line per family, then its samples, families in the order given.
 *   A family with no samples is still announced (a gauge with nothing to say yet).
 * - Label values may be any text: backslash, double quote and line feed are escaped (`\\`, `\"`,
 *   `\n`), so no value can end its quotes or its line. HELP text escapes backslash and line feed.
 * - Metric and label names are ours, never input: a name outside the format's grammar is a bug and
 *   throws.
 * - Values: integers and decimals as JavaScript prints them (`1e+21` parses in Go), `NaN`, `+Inf`,
 *   `-Inf`. No timestamps: Prometheus stamps the scrape.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family name: a histogram's `_bucket`, `_sum` and `_count` lines. */
  readonly suffix?: '_bucket' | '_sum' | '_count';
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value inside its double quotes. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed only (a double quote is literal there). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  const parts = entries.map(([name, value]) => {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new Error(`label name ${JSON.stringify(name)} is not a Prometheus label name; rename it`);
    }
    return `${name}="${escapeLabelValue(value)}"`;
  });
  return `{${parts.join(',')}}`;
}

/** The exposition text of `families`, ending with a line feed. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) {
      throw new Error(
        `metric name ${JSON.stringify(family.name)} is not a Prometheus metric name; rename it`,
      );
    }
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const name = `${family.name}${sample.suffix ?? ''}`;
      lines.push(`${name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A histogram with fixed upper bounds: constant memory, one counter per bucket. Its samples are the
 * cumulative `_bucket` counts (`le` ascending, `+Inf` last, equal to `_count`), `_sum` and `_count`.
 */
export interface Histogram {
  observe(value: number): void;
  samples(): Sample[];
}

export function createHistogram(bounds: readonly number[]): Histogram {
  const sorted = [...bounds].sort((a, b) => a - b);
  if (sorted.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound === sorted[i - 1]))) {
    throw new Error(
      `histogram bounds ${JSON.stringify(bounds)} must be finite and distinct; +Inf is implicit`,
    );
  }
  const counts = sorted.map(() => 0);
  let count = 0;
  let sum = 0;
  return {
    observe(value) {
      if (Number.isNaN(value)) return;
      count += 1;
      sum += value;
      const at = sorted.findIndex((bound) => value <= bound);
      if (at >= 0) counts[at] = (counts[at] ?? 0) + 1;
    },
    samples() {
      let cumulative = 0;
      const buckets: Sample[] = sorted.map((bound, i) => {
        cumulative += counts[i] ?? 0;
        return { suffix: '_bucket', labels: { le: formatValue(bound) }, value: cumulative };
      });
      return [
        ...buckets,
        { suffix: '_bucket', labels: { le: '+Inf' }, value: count },
        { suffix: '_sum', value: sum },
        { suffix: '_count', value: count },
      ];
    },
  };
}
