import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HLS_CHECKER_BUDGET_BYTES, hlsCheckerBuildOptions } from '../../scripts/hls-checker-bundle.ts';

let dir: string;
let metafile: Metafile;
let bytes: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-hls-bundle-'));
  const result = await build(hlsCheckerBuildOptions(join(dir, 'index.mjs')));
  metafile = result.metafile as Metafile;
  bytes = Object.values(metafile.outputs)[0]?.bytes ?? Number.POSITIVE_INFINITY;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the HLS checker bundle', () => {
  it(`stays within its ${HLS_CHECKER_BUDGET_BYTES}-byte budget`, () => {
    expect(bytes).toBeLessThanOrEqual(HLS_CHECKER_BUDGET_BYTES);
  });

  it('holds the checker, the shared parser and nothing from npm, device/ or infra/', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('shared/hls.ts');
    expect(inputs.filter((file) => /node_modules|^(device|infra)\//.test(file))).toEqual([]);
  });

  it('loads as an ES module and exports the handler', async () => {
    const module = (await import(join(dir, 'index.mjs'))) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
