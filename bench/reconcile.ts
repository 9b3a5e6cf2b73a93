/** (e) Reconcile: 10,000 instances in pages of 1,000 across two regions from the fake EC2. */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type FakeInstance, startFakeEc2 } from '../device/demo/fake-ec2.ts';
import { deviceBuildOptions } from '../scripts/device-bundle.ts';
import { INSTANCE_STATES } from '../shared/instance-state.ts';
import type { Section } from './report.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./reconcile-child.ts', import.meta.url));
// Inside node_modules so the bundle's external packages resolve as they would in an install.
const CHILD_BUNDLE = fileURLToPath(
  new URL('../node_modules/.cache/ec2led-bench/reconcile-child.mjs', import.meta.url),
);

/** The child runs as the packed agent does: bundled by the agent's own esbuild settings. */
async function bundleChild(): Promise<void> {
  const outdir = dirname(CHILD_BUNDLE);
  await build({
    ...deviceBuildOptions(outdir),
    entryPoints: { 'reconcile-child': CHILD },
    splitting: false,
    sourcemap: false,
  });
}

function fleetOf(count: number, region: string, offset: number): FakeInstance[] {
  return Array.from({ length: count }, (_, i) => ({
    instanceId: `i-${(offset + i).toString(16).padStart(17, '0')}`,
    state: INSTANCE_STATES[i % INSTANCE_STATES.length] ?? 'running',
    tags: { Name: `${region}-node-${i}`, team: i % 3 === 0 ? 'web' : 'batch' },
  }));
}

export async function benchReconcile(): Promise<Section> {
  const ec2 = await startFakeEc2({ host: '127.0.0.1', port: 0 });
  try {
    const regions = ['us-east-1', 'eu-west-1'];
    for (const [r, region] of regions.entries()) ec2.setInstances(region, fleetOf(5000, region, r * 5000));
    await bundleChild();
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const { stdout } = await run(process.execPath, [CHILD_BUNDLE, ec2.url, regions.join(',')], {
        timeout: 120_000,
      });
      runs.push(
        JSON.parse(stdout) as {
          instances: number;
          totalMs: number;
          peakRssMb: number;
          baselineRssMb: number;
        },
      );
    }
    const calls = Object.values(ec2.calls).reduce((a, b) => a + b, 0) / runs.length;
    const best = runs.reduce((a, b) => (a.totalMs <= b.totalMs ? a : b));
    const worst = runs.reduce((a, b) => (a.totalMs >= b.totalMs ? a : b));
    const peak = Math.max(...runs.map((r) => r.peakRssMb));
    return {
      id: 'reconcile',
      title: '(e) Reconcile: 10,000 instances, pages of 1,000, two regions',
      metrics: [
        { name: 'instances in the fleet after the reconcile', value: best.instances, unit: '' },
        { name: 'DescribeInstances calls per reconcile', value: calls, unit: '' },
        {
          name: 'wall time, best of 3 (list + replace fleet)',
          value: best.totalMs / 1000,
          unit: 's',
          target: '<= 3',
          pass: best.totalMs <= 3000,
        },
        {
          name: 'wall time, worst of 3',
          value: worst.totalMs / 1000,
          unit: 's',
          target: '<= 3',
          pass: worst.totalMs <= 3000,
        },
        {
          name: 'peak RSS of the reconciling process',
          value: peak,
          unit: 'MB',
          note: `${best.baselineRssMb.toFixed(0)} MB before listing`,
        },
      ],
    };
  } finally {
    await ec2.close();
  }
}
