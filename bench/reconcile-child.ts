import { EMPTY_FLEET, replaceWithSnapshot } from '../device/fleet/store.ts';
import { createEc2Source } from '../device/sources/ec2.ts';
import { isMain } from '../scripts/is-main.ts';

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

if (isMain(import.meta.url)) {
  const [url, regions] = process.argv.slice(2);
  if (url === undefined || regions === undefined) throw new Error('usage: reconcile-child EC2_URL REGIONS');
  await main(url, regions);
}
