/**
 * `npm run bench`: runs every benchmark section in turn, then writes bench/results.json and
 * docs/benchmarks.md. Sections run one at a time so they do not disturb each other's timings.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { benchAgentResources } from './agent-resources.ts';
import { benchBoards } from './boards.ts';
import { benchLambda } from './lambda.ts';
import { benchLatency } from './latency.ts';
import { benchPolling } from './polling.ts';
import { benchReconcile } from './reconcile.ts';
import { machineDescription, type Report, type Section, toMarkdown } from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SECTIONS: ReadonlyArray<readonly [string, () => Promise<Section>]> = [
  ['latency', benchLatency],
  ['polling', benchPolling],
  ['lambda', benchLambda],
  ['boards', benchBoards],
  ['reconcile', benchReconcile],
  ['agent', benchAgentResources],
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const sections: Section[] = [];
  for (const [id, run] of SECTIONS) {
    if (only.length > 0 && !only.includes(id)) continue;
    process.stderr.write(`bench: ${id}...\n`);
    const started = Date.now();
    sections.push(await run());
    process.stderr.write(`bench: ${id} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const report: Report = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineDescription(),
    node: process.version,
    command: only.length > 0 ? `npm run bench -- ${only.join(' ')}` : 'npm run bench',
    sections,
  };
  await writeFile(`${ROOT}bench/results.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${ROOT}docs/benchmarks.md`, toMarkdown(report));
  process.stderr.write('bench: wrote bench/results.json and docs/benchmarks.md\n');
}

// An aws-crt client keeps the process alive after it stops (toolchain trap 3): exit explicitly.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
