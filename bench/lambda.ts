/** (c) The Lambda: bundle bytes, cold import time against bare node, handler time per event. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { eventIdFor, simulateDay, toEventBridgeEvent } from '../device/demo/simulator.ts';
import { createHandler } from '../lambda/handler.ts';
import { LAMBDA_BUDGET_BYTES, lambdaBuildOptions } from '../scripts/lambda-bundle.ts';
import { type Section, summarize } from './report.ts';

function medianSpawnMs(args: string[], runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, IOT_DATA_ENDPOINT: 'x' },
    });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return summarize(samples).p50;
}

export async function benchLambda(): Promise<Section> {
  const dir = await mkdtemp(join(tmpdir(), 'ec2led-bench-lambda-'));
  try {
    const outfile = join(dir, 'index.mjs');
    const result = await build(lambdaBuildOptions(outfile));
    const bytes = Object.values(result.metafile?.outputs ?? {})[0]?.bytes ?? Number.NaN;

    const runs = 21;
    const bare = medianSpawnMs(['-e', ''], runs);
    const withBundle = medianSpawnMs(
      ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(outfile).href)})`],
      runs,
    );

    const day = simulateDay();
    const byId = new Map(day.instances.map((i) => [i.instanceId, i]));
    const events = day.steps.map((step, index) =>
      toEventBridgeEvent(
        step,
        byId.get(step.instanceId) as (typeof day.instances)[number],
        eventIdFor(step, index),
      ),
    );
    const handler = createHandler({
      publisher: () => ({ publish: async () => {} }),
      topicPrefix: 'ec2led',
      log: () => {},
    });
    const rounds = Math.ceil(20_000 / events.length);
    for (const event of events) await handler(event); // warm-up
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const event of events) await handler(event);
    const perEventUs = Number(process.hrtime.bigint() - start) / 1e3 / (rounds * events.length);

    return {
      id: 'lambda',
      title: '(c) Lambda',
      metrics: [
        {
          name: 'bundle size',
          value: bytes / 1024,
          unit: 'KiB',
          target: `<= ${LAMBDA_BUDGET_BYTES / 1024} (budget)`,
          pass: bytes <= LAMBDA_BUDGET_BYTES,
        },
        { name: 'bare `node -e ""` start, median of 21', value: bare, unit: 'ms' },
        { name: 'node + import bundle, median of 21', value: withBundle, unit: 'ms' },
        {
          name: 'cold import above bare node',
          value: withBundle - bare,
          unit: 'ms',
          target: '<= 50',
          pass: withBundle - bare <= 50,
        },
        { name: 'cold import ratio to bare node', value: withBundle / bare, unit: 'x' },
        {
          name: 'handler time per event (validate, translate, encode; publisher stubbed)',
          value: perEventUs,
          unit: 'µs',
        },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
