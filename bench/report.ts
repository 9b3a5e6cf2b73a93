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
  /** When and by which command this section was measured (set by bench/run.ts). */
  readonly measured?: string;
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

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
    `Written by \`${report.command}\` on ${report.date}: ${report.machine}, Node ${report.node}.`,
    'Every figure below is a measurement; each section says when and by which command it was taken.',
    'Targets are the goals set for this 2-core machine before the first run. `npm run bench` refreshes them all, `npm run bench -- ID` one section.',
    '',
  ];
  for (const section of report.sections) {
    lines.push(`## ${section.title}`, '');
    if (section.measured !== undefined) lines.push(`Measured ${section.measured}.`, '');
    lines.push('| metric | value | target | |', '|---|---|---|---|');
    for (const m of section.metrics) {
      const verdict = m.pass === undefined ? '' : m.pass ? 'met' : '**missed**';
      const note = m.note ? ` (${m.note})` : '';
      lines.push(`| ${m.name}${note} | ${format(m.value)} ${m.unit} | ${m.target ?? ''} | ${verdict} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** The README's summary: every metric that has a target, with its section. */
export function toReadmeSummary(report: Report): string {
  const lines = [
    `Every row below has a target set before the first run; all figures: [docs/benchmarks.md](docs/benchmarks.md).`,
    `Written by \`${report.command}\` on ${report.date}: ${report.machine}, Node ${report.node}.`,
    '',
    '| benchmark | metric | value | target | |',
    '|---|---|---|---|---|',
  ];
  for (const section of report.sections) {
    for (const m of section.metrics.filter((metric) => metric.target !== undefined)) {
      const verdict = m.pass === undefined ? '' : m.pass ? 'met' : '**missed**';
      lines.push(
        `| ${section.title} | ${m.name} | ${format(m.value)} ${m.unit} | ${m.target} | ${verdict} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Replaces the text between the bench markers of the README; throws when the markers are missing. */
export function replaceReadmeSummary(readme: string, summary: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the ${README_START} ... ${README_END} markers`);
  return `${readme.slice(0, start + README_START.length)}\n${summary}\n${readme.slice(end)}`;
}

/**
 * Waits until `probe` holds, checking every `stepMs`; throws naming `what` after `timeoutMs`. A probe
 * that rejects counts as not yet (the agent's socket may not be up).
 */
export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(probe)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
