/** Shapes and formatting of benchmark results: one JSON file and one Markdown table. */
import { cpus, totalmem } from 'node:os';

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable target, e.g. "<= 25"; absent when there is none. */
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly Metric[];
}

export interface Report {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly command: string;
  readonly sections: readonly Section[];
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} cores (${cpu.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function summarize(samples: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function toMarkdown(report: Report): string {
  const lines = [
    '# Benchmarks',
    '',
    `Produced by \`${report.command}\` on ${report.date}: ${report.machine}, Node ${report.node}.`,
    'Every figure below is a measurement of that run; targets are from issue 6. Re-run to refresh.',
    '',
  ];
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '', '| metric | value | target | |', '|---|---|---|---|');
    for (const m of section.metrics) {
      const verdict = m.pass === undefined ? '' : m.pass ? 'met' : '**missed**';
      const note = m.note ? ` (${m.note})` : '';
      lines.push(`| ${m.name}${note} | ${format(m.value)} ${m.unit} | ${m.target ?? ''} | ${verdict} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
