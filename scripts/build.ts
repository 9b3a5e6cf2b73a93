/**
 * `npm run build`: every artifact of the project into dist/: the Lambda, the packed agent, the templates.
 * `tsx scripts/build.ts device` builds the packed agent alone: the package ships nothing else, so
 * `npm pack` (prepack) and `npm run package:device` build it once.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { deviceBuildOptions } from './device-bundle.ts';
import { isMain } from './is-main.ts';
import { LAMBDA_BUDGET_BYTES, lambdaBuildOptions, ROOT } from './lambda-bundle.ts';

async function buildLambda(): Promise<void> {
  await mkdir(`${ROOT}dist/lambda`, { recursive: true });
  const result = await build(lambdaBuildOptions(`${ROOT}dist/lambda/index.mjs`));
  const bytes = Object.values(result.metafile?.outputs ?? {})[0]?.bytes ?? 0;
  await writeFile(`${ROOT}dist/lambda/meta.json`, JSON.stringify(result.metafile));
  process.stderr.write(`dist/lambda/index.mjs: ${bytes} bytes (budget ${LAMBDA_BUDGET_BYTES})\n`);
}

async function buildDevice(): Promise<void> {
  for (const stale of ['dist/cli.mjs', 'dist/ec2-listing.mjs', 'dist/chunks', 'dist/public']) {
    await rm(`${ROOT}${stale}`, { recursive: true, force: true });
  }
  const result = await build(deviceBuildOptions(`${ROOT}dist`));
  // The web board serves its page from ./public/ beside the module that holds it.
  await cp(`${ROOT}device/outputs/web/public`, `${ROOT}dist/public`, { recursive: true });
  const bytes = Object.entries(result.metafile?.outputs ?? {})
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stderr.write(`dist/cli.mjs, dist/ec2-listing.mjs and chunks: ${bytes} bytes\n`);
}

/** The CloudFormation templates, as `cdk deploy` would upload them (offline: no lookups, no notices). */
function synthesize(): void {
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', 'dist/cdk.out'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) throw new Error(`cdk synth exited ${result.status}; run npx cdk synth to see why`);
  process.stderr.write('dist/cdk.out: the CloudFormation templates\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === 'device') {
    await buildDevice();
    return;
  }
  await buildLambda();
  await buildDevice();
  synthesize();
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
