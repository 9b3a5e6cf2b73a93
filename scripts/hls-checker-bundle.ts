/**
 * The esbuild configuration of the HLS checker Lambda (lambda/hls-checker.ts, shared/hls-check.ts), used by the checks
 * stack and by its budget test, so what is measured is what is deployed. It bundles no AWS SDK:
 * the metric leaves as an Embedded Metric Format log line.
 */
import type { BuildOptions } from 'esbuild';
import { LAMBDA_BUNDLE_DEFAULTS, ROOT } from './lambda-bundle.ts';

export const HLS_CHECKER_ENTRY = `${ROOT}lambda/hls-checker.ts`;
/** The HLS checker's budget (8,065 bytes measured in December 2026): the parser, the judge, a bounded fetch loop and the TLS problems' texts, nothing else. */
export const HLS_CHECKER_BUDGET_BYTES = 8 * 1024;

export function hlsCheckerBuildOptions(outfile: string): BuildOptions {
  return { ...LAMBDA_BUNDLE_DEFAULTS, entryPoints: [HLS_CHECKER_ENTRY], outfile, logLevel: 'silent' };
}
