/**
 * The one esbuild configuration of the Lambda bundle, used by `npm run build`, the bundle-budget
 * test and the CDK stack, so what is measured is what is deployed.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LAMBDA_ENTRY = `${ROOT}lambda/handler.ts`;
/** The bundle budget stated in the README and lambda/README.md. */
export const LAMBDA_BUDGET_BYTES = 200 * 1024;
/** The Lambda runtime the stack deploys (NODEJS_24_X). */
export const LAMBDA_TARGET = 'node24';

/** What every Lambda bundle of the project shares: one minified ESM file for the deployed runtime. */
export const LAMBDA_BUNDLE_DEFAULTS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: LAMBDA_TARGET,
  minify: true,
  metafile: true,
  legalComments: 'none',
} as const satisfies BuildOptions;

export function lambdaBuildOptions(outfile: string): BuildOptions {
  return {
    ...LAMBDA_BUNDLE_DEFAULTS,
    entryPoints: [LAMBDA_ENTRY],
    outfile,
    mainFields: ['module', 'main'],
    alias: { '@aws-sdk/credential-provider-node': `${ROOT}lambda/env-credentials.ts` },
    // Some AWS SDK dependencies still call require() for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'silent',
  };
}
