/** The one test that bundles for real: the Lambda asset the stack deploys is the esbuild output `npm run build` measures. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { PublisherFunction } from '../../infra/constructs/publisher-function.ts';
import { LAMBDA_BUDGET_BYTES, lambdaBuildOptions } from '../../scripts/lambda-bundle.ts';

let outdir: string;
let asset: string;
let reference: string;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'ec2led-cdk-'));
  const app = new App({ outdir, context: { account: '123456789012', regions: 'eu-west-1' } });
  const { home } = buildApp(app, {});
  const assembly = app.synth();
  const template = assembly.getStackArtifact(home.artifactId).template as {
    Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
  };
  const publisher = home.node.findChild('Publisher') as PublisherFunction;
  const logicalId = home.resolve((publisher.function.node.defaultChild as CfnElement).logicalId) as string;
  const key = template.Resources[logicalId]?.Properties.Code.S3Key ?? '';
  asset = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  reference = join(outdir, 'reference.mjs');
  await build(lambdaBuildOptions(reference));
  // A real synth with bundling and cdk-nag: over 30 s of wall time on a busy shared machine.
}, 90_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('the Lambda asset', () => {
  it('is built locally by the project esbuild settings, byte for byte', () => {
    const bundle = join(asset, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(sha256(bundle)).toBe(sha256(reference));
  });

  it('stays within the bundle budget and exports the handler', async () => {
    const bundle = join(asset, 'index.mjs');
    expect(readFileSync(bundle).length).toBeLessThanOrEqual(LAMBDA_BUDGET_BYTES);
    const module = (await import(bundle)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
