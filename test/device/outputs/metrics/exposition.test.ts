/**
 * The Prometheus text format as written by device/outputs/metrics/exposition.ts, read back by a Prometheus
 * text-format parser (parse-prometheus-text-format, a port of the official Python client's parser):
 * what we write is what a scraper reads, hostile label values included.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  escapeHelp,
  escapeLabelValue,
  formatValue,
  type MetricFamily,
  renderExposition,
} from '../../../../device/outputs/metrics/exposition.ts';

/** Label values a Name tag or a topic could carry, were one ever put in a label. */
const HOSTILE = [
  'plain',
  'back\\slash',
  'double "quote"',
  'line\nfeed',
  '"} 1\nfake_metric{evil="1',
  '\\"',
  '\\n literal backslash-n',
  'trailing backslash\\',
  'tab\tand carriage\rreturn',
  'unicode: 🟥 ‮bidi‬ zero​width',
  '',
];

describe('Prometheus text exposition', () => {
  it('announces each family with HELP and TYPE, then its samples', () => {
    const text = renderExposition([
      { name: 'a_total', help: 'Things.', type: 'counter', samples: [{ value: 3 }] },
      { name: 'b', help: 'Nothing yet.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      '# HELP a_total Things.\n# TYPE a_total counter\na_total 3\n# HELP b Nothing yet.\n# TYPE b gauge\n',
    );
    expect(parsePrometheusTextFormat(text)).toEqual([
      { name: 'a_total', help: 'Things.', type: 'COUNTER', metrics: [{ value: '3' }] },
      { name: 'b', help: 'Nothing yet.', type: 'GAUGE', metrics: [] },
    ]);
  });

  it('escapes backslash, double quote and line feed in label values, so the parser reads back each hostile value', () => {
    const family: MetricFamily = {
      name: 'hostile',
      help: 'Hostile label values.',
      type: 'gauge',
      samples: HOSTILE.map((value, i) => ({ labels: { value, i: String(i) }, value: i })),
    };
    const text = renderExposition([family]);
    // One line per sample: no value ended its line or its quotes.
    expect(text.split('\n').filter((line) => line.startsWith('hostile{'))).toHaveLength(HOSTILE.length);
    expect(text).not.toMatch(/^fake_metric/m);
    const [parsed] = parsePrometheusTextFormat(text);
    expect(parsed?.metrics).toEqual(
      HOSTILE.map((value, i) => ({ labels: { value, i: String(i) }, value: String(i) })),
    );
  });

  it('escapes as the format says, and nothing more', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('tab\t🟥')).toBe('tab\t🟥');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
  });

  it('escapes HELP text, which the parser reads back', () => {
    const help = 'Line one\nline two, a back\\slash and a "quote".';
    const [parsed] = parsePrometheusTextFormat(
      renderExposition([{ name: 'h', help, type: 'gauge', samples: [{ value: 1 }] }]),
    );
    expect(parsed?.help).toBe(help);
  });

  it('writes NaN and the infinities as the format spells them', () => {
    expect(
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.25, 1e21].map(formatValue),
    ).toEqual(['NaN', '+Inf', '-Inf', '0.25', '1e+21']);
  });

  it('refuses a metric or label name outside the grammar, naming it', () => {
    expect(() => renderExposition([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(
      /metric name "bad-name"/,
    );
    const sample = { labels: { 'bad label': 'x' }, value: 1 };
    expect(() => renderExposition([{ name: 'ok', help: '', type: 'gauge', samples: [sample] }])).toThrow(
      /label name "bad label"/,
    );
    const reserved = { labels: { __name__: 'x' }, value: 1 };
    expect(() => renderExposition([{ name: 'ok', help: '', type: 'gauge', samples: [reserved] }])).toThrow(
      /label name "__name__"/,
    );
  });

  it('writes a histogram as cumulative buckets, +Inf equal to the count, a sum and a count', () => {
    const histogram = createHistogram([1, 0.5, 5]);
    for (const value of [0.2, 0.5, 0.7, 3, 9, Number.NaN]) histogram.observe(value);
    const text = renderExposition([
      { name: 'd_seconds', help: 'Durations.', type: 'histogram', samples: histogram.samples() },
    ]);
    expect(text).toContain('d_seconds_bucket{le="0.5"} 2\n');
    expect(text).toContain('d_seconds_bucket{le="+Inf"} 5\n');
    const [parsed] = parsePrometheusTextFormat(text);
    expect(parsed).toEqual({
      name: 'd_seconds',
      help: 'Durations.',
      type: 'HISTOGRAM',
      metrics: [{ buckets: { '0.5': '2', '1': '3', '5': '4', '+Inf': '5' }, count: '5', sum: '13.4' }],
    });
  });

  it('refuses histogram bounds that are not finite or repeat', () => {
    expect(() => createHistogram([1, 1])).toThrow(/finite and distinct/);
    expect(() => createHistogram([1, Number.POSITIVE_INFINITY])).toThrow(/\+Inf is implicit/);
  });
});
