/**
 * Child process of bench/accounts.ts: one reconcile of many accounts as the agent does it (AssumeRole
 * per member account, then paged DescribeInstances in every account and region in parallel, then the
 * fleet replaced by the snapshot), alone in its own process so its peak RSS is the agent's.
 * argv: EC2_URL STS_URL ACCOUNT[,ACCOUNT...] REGION[,REGION...]
 */
import { accountsOf } from '../device/fleet/accounts.ts';
import { EMPTY_FLEET, replaceWithSnapshot } from '../device/fleet/store.ts';
import { createAccountsEc2Source } from '../device/sources/accounts-ec2.ts';

const [ec2Url, stsUrl, accounts, regions] = process.argv.slice(2);
if (ec2Url === undefined || stsUrl === undefined || accounts === undefined || regions === undefined) {
  throw new Error('usage: accounts-child EC2_URL STS_URL ACCOUNTS REGIONS');
}
const source = createAccountsEc2Source({
  accounts: accountsOf(accounts.split(',')),
  regions: regions.split(','),
  credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }),
  sessionName: 'bench',
  ec2Endpoint: ec2Url,
  stsEndpoint: stsUrl,
});
const baseline = process.memoryUsage().rss;
const start = process.hrtime.bigint();
const snapshot = await source.list();
const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot, Date.now());
const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
source.close();
process.stdout.write(
  `${JSON.stringify({
    instances: fleet.size,
    failed: snapshot.failedAccounts?.length ?? 0,
    totalMs,
    baselineRssMb: baseline / 2 ** 20,
    rssAfterMb: process.memoryUsage().rss / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
