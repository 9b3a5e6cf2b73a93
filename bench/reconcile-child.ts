/**
 * Child process of bench/reconcile.ts: one full reconcile as the agent does it (paged
 * DescribeInstances in every region in parallel, then the fleet replaced by the snapshot), measured
 * alone in its own process so its peak RSS is the agent's, not the fake EC2 server's.
 * argv: EC2_URL REGION[,REGION...]
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EMPTY_FLEET, replaceWithSnapshot } from '../device/fleet/store.ts';
import { createEc2Source } from '../device/sources/ec2.ts';

async function main(url: string, regions: string): Promise<void> {
  const source = createEc2Source({
    regions: regions.split(','),
    endpoint: url,
    credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }),
  });
  const baseline = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const snapshot = await source.list();
  const listedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot, Date.now());
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  source.close();
  process.stdout.write(
    `${JSON.stringify({
      instances: fleet.size,
      listedMs,
      totalMs,
      baselineRssMb: baseline / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain()) {
  const [url, regions] = process.argv.slice(2);
  if (url === undefined || regions === undefined) throw new Error('usage: reconcile-child EC2_URL REGIONS');
  await main(url, regions);
}
