import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_EXTERNALS, deviceBuildOptions } from '../../scripts/device-bundle.ts';
import { ROOT } from '../../scripts/lambda-bundle.ts';

let dir: string;
let metafile: Metafile;

beforeAll(async () => {
  // Inside the repository so the external packages resolve from node_modules, as on a Pi.
  dir = await mkdtemp(join(ROOT, 'node_modules', '.ec2led-bundle-test-'));
  metafile = (await build(deviceBuildOptions(dir))).metafile as Metafile;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the packed agent bundle', () => {
  it('bundles no build, test or demo tooling, and nothing from infra/', () => {
    const inputs = Object.keys(metafile.inputs);
    const banned =
      /^(infra\/|test\/|bench\/)|node_modules\/(aedes|playwright-core|esbuild|tsx|vitest|aws-cdk-lib|typescript)\//;
    expect(inputs.filter((file) => banned.test(file))).toEqual([]);
  });

  it('keeps native modules and the admin AWS clients external', () => {
    const inputs = Object.keys(metafile.inputs);
    for (const name of DEVICE_EXTERNALS) {
      expect(inputs.filter((file) => file.includes(`node_modules/${name}/`))).toEqual([]);
    }
  });

  it('loads the default credential chain only when it is used', () => {
    const cli = Object.entries(metafile.outputs).find(([file]) => file.endsWith('/cli.mjs'));
    const eager = Object.keys(cli?.[1].inputs ?? {});
    expect(eager.some((file) => file.includes('credential-provider-node'))).toBe(false);
  });

  it('runs the command line from the bundle', async () => {
    const cli = (await import(pathToFileURL(join(dir, 'cli.mjs')).href)) as {
      main: (
        argv: string[],
        io: { stdout: (t: string) => void; stderr: (t: string) => void },
      ) => Promise<number>;
    };
    let out = '';
    const code = await cli.main(['replay', join(ROOT, 'test/fixtures/eventbridge/running.json'), '--json'], {
      stdout: (t) => (out += t),
      stderr: () => {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(out).pixels[0].entry.state).toBe('running');
  });
});
