import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMain } from '../scripts/is-main.ts';
import { benchAccounts } from './accounts.ts';
import { benchAgentResources } from './agent-resources.ts';
import { benchBoards } from './boards.ts';
import { benchFootprint } from './footprint.ts';
import { benchLambda } from './lambda.ts';
import { benchLatency } from './latency.ts';
import { benchListingMemory, benchSoak } from './listing-memory.ts';
import { benchFootprintNode24, benchFootprintQemu, benchListingChild } from './pi-node.ts';
import { benchPolling } from './polling.ts';
import { benchProbe } from './probe.ts';
import { benchReconcile } from './reconcile.ts';
import {
  machineDescription,
  type Report,
  replaceReadmeSummary,
  type Section,
  toMarkdown,
  toReadmeSummary,
} from './report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SECTIONS: ReadonlyArray<readonly [string, () => Promise<Section>]> = [
  ['latency', benchLatency],
  ['polling', benchPolling],
  ['lambda', benchLambda],
  ['boards', benchBoards],
  ['reconcile', benchReconcile],
  ['agent', benchAgentResources],
  ['probe', benchProbe],
  ['accounts', benchAccounts],
  ['footprint', () => benchFootprint()],
  ['footprint-node24', benchFootprintNode24],
  ['footprint-qemu', benchFootprintQemu],
  ['listing-child', benchListingChild],
  ['listing', benchListingMemory],
  ['soak', benchSoak],
];

async function previousSections(): Promise<readonly Section[]> {
  try {
    return (JSON.parse(await readFile(`${ROOT}bench/results.json`, 'utf8')) as Report).sections;
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const command = only.length > 0 ? `npm run bench -- ${only.join(' ')}` : 'npm run bench';
  // A partial run refreshes its sections and keeps the others from the last run, each with its own date.
  const kept = only.length > 0 ? await previousSections() : [];
  const sections: Section[] = [];
  for (const [id, run] of SECTIONS) {
    if (only.length > 0 && !only.includes(id)) {
      const previous = kept.find((section) => section.id === id);
      if (previous !== undefined) sections.push(previous);
      continue;
    }
    process.stderr.write(`bench: ${id}...\n`);
    const started = Date.now();
    sections.push({
      ...(await run()),
      measured: `${new Date().toISOString().slice(0, 16)}Z by \`${command}\``,
    });
    process.stderr.write(`bench: ${id} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const report: Report = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineDescription(),
    node: process.version,
    command,
    sections,
  };
  await writeFile(`${ROOT}bench/results.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${ROOT}docs/benchmarks.md`, toMarkdown(report));
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  await writeFile(`${ROOT}README.md`, replaceReadmeSummary(readme, toReadmeSummary(report)));
  process.stderr.write('bench: wrote bench/results.json, docs/benchmarks.md and the README summary\n');
}

if (isMain(import.meta.url)) {
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
}
