/** `npm run build`: every artifact of the project, into dist/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { LAMBDA_BUDGET_BYTES, lambdaBuildOptions, ROOT } from './lambda-bundle.ts';

async function main(): Promise<void> {
  await mkdir(`${ROOT}dist/lambda`, { recursive: true });
  const outfile = `${ROOT}dist/lambda/index.mjs`;
  const result = await build(lambdaBuildOptions(outfile));
  const bytes = result.metafile?.outputs[`dist/lambda/index.mjs`]?.bytes ?? 0;
  await writeFile(`${ROOT}dist/lambda/meta.json`, JSON.stringify(result.metafile));
  process.stderr.write(`dist/lambda/index.mjs: ${bytes} bytes (budget ${LAMBDA_BUDGET_BYTES})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
