/** The checks stack deploys the HLS checker's own bundle, not the publisher's (same lambda/ folder). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { ChecksStack } from '../../infra/checks-stack.ts';
import { HLS_CHECKER_BUDGET_BYTES } from '../../scripts/hls-checker-bundle.ts';

const outdir = mkdtempSync(join(tmpdir(), 'ec2led-hls-asset-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the HLS checker asset', () => {
  it('is the HLS checker bundle, within its budget, while the home stack bundles the publisher', () => {
    const app = new App({
      outdir,
      context: {
        account: '123456789012',
        regions: 'eu-west-1',
        checks: 'hls:https://cdn.example.com/live/playlist.m3u8',
      },
    });
    const { checks } = buildApp(app, {});
    const assembly = app.synth();
    const assets = JSON.parse(
      readFileSync(join(assembly.directory, `${(checks as ChecksStack).artifactId}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string } }> };
    const code = Object.values(assets.files)
      .map((file) => file.source.path)
      .filter((path) => path.startsWith('asset.'));
    expect(code).toHaveLength(1);
    const dir = join(assembly.directory, code[0] as string);
    expect(readdirSync(dir)).toEqual(['index.mjs']);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(bundle).toContain('HlsStatus');
    expect(bundle).not.toContain('IoTDataPlane');
    expect(Buffer.byteLength(bundle)).toBeLessThanOrEqual(HLS_CHECKER_BUDGET_BYTES);
  }, 120_000);
});
