import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUDGET_BYTES, lambdaBuildOptions } from '../../scripts/lambda-bundle.ts';

let dir: string;
let metafile: Metafile;
let bytes: number;
let outfile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-bundle-'));
  outfile = join(dir, 'index.mjs');
  const result = await build(lambdaBuildOptions(outfile));
  metafile = result.metafile as Metafile;
  bytes = Object.values(metafile.outputs)[0]?.bytes ?? Number.POSITIVE_INFINITY;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Lambda bundle', () => {
  it(`stays within the ${LAMBDA_BUDGET_BYTES}-byte budget with the IoT client bundled`, () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((file) => file.includes('@aws-sdk/client-iot-data-plane'))).toBe(true);
    expect(bytes).toBeLessThanOrEqual(LAMBDA_BUDGET_BYTES);
  });

  it('pulls in nothing from device/ or infra/, and no default credential chain', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((file) => /^(device|infra)\//.test(file))).toEqual([]);
    expect(
      inputs.filter((file) => /credential-provider-(node|ini|sso|imds)|nested-clients/.test(file)),
    ).toEqual([]);
  });

  it('loads as an ES module and exports the handler', async () => {
    const module = (await import(outfile)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
