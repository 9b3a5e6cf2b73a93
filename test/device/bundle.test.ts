import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEc2 } from '../../device/demo/fake-ec2.ts';
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

  it('keeps the EC2 client out of the agent: only the listing process (dist/ec2-listing.mjs) loads it', () => {
    const ec2Client = (file: string) => file.includes('node_modules/@aws-sdk/client-ec2/');
    /** The output files a file loads at once (static imports), itself included. */
    const loaded = (start: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const edge of metafile.outputs[file]?.imports ?? []) {
          if (edge.kind === 'import-statement' && !edge.external) visit(edge.path);
        }
      };
      visit(start);
      return seen;
    };
    const outputs = Object.entries(metafile.outputs);
    const holding = (input: string) =>
      outputs.filter(([, output]) => Object.keys(output.inputs).some((file) => file === input));
    const [agentChunk] = holding('device/agent/agent.ts').map(([file]) => file);
    const listing = outputs.find(([file]) => file.endsWith('/ec2-listing.mjs'))?.[0] as string;
    const inputsOf = (files: Set<string>) =>
      [...files].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
    expect(agentChunk).toMatch(/\/chunks\//);
    expect(inputsOf(loaded(agentChunk as string)).filter(ec2Client)).toEqual([]);
    expect(inputsOf(loaded(listing)).some(ec2Client)).toBe(true);
    // Nor does the CloudWatch alarm source, which runs in the agent when `alarms` is configured.
    const [alarmChunk] = holding('device/sources/alarms.ts').map(([file]) => file);
    expect(inputsOf(loaded(alarmChunk as string)).filter(ec2Client)).toEqual([]);
    // The process source sits in chunks/, one folder below dist/ec2-listing.mjs (listingEntry).
    expect(holding('device/sources/listing-process.ts').map(([file]) => file)).toEqual([
      expect.stringMatching(/\/chunks\//),
    ]);
  });

  it('lists through the packed listing process: agent --once against the fake EC2', async () => {
    const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0 });
    ec2.setInstances('eu-west-1', [
      { instanceId: 'i-00000000000000001', state: 'running', tags: { Name: 'web' } },
    ]);
    const stateDir = await mkdtemp(join(tmpdir(), 'ec2led-bundle-once-'));
    try {
      const config = join(stateDir, 'config.json');
      await writeFile(
        config,
        JSON.stringify({
          mqtt: { endpoint: '127.0.0.1', clientId: 'bundle-test', tls: false },
          aws: {
            credentials: 'default',
            accounts: ['123456789012'],
            regions: ['eu-west-1'],
            ec2Endpoint: ec2.url,
          },
          stateDir,
          display: { board: 'terminal', virtualWidth: 4, virtualHeight: 4 },
          log: { level: 'debug' },
        }),
      );
      await writeFile(
        join(dir, 'run.mjs'),
        "import { main } from './cli.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      );
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(dir, 'run.mjs'), 'agent', '--once', '--config', config],
          {
            env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBUNDLE', AWS_SECRET_ACCESS_KEY: 'bundle' },
            timeout: 60_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
        );
      });
      expect(result.stderr).toMatch(/"msg":"listing process started".*"call":"listing"/);
      expect(result.stdout).toMatch(/i-00000000000000001 +web +running/);
      expect(result.code).toBe(0);
    } finally {
      await ec2.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 90_000);

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
