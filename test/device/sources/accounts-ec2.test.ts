/**
 * Many accounts: the real AWS SDK against the loopback STS (AssumeRole) and the loopback EC2 keyed by
 * account (device/demo/fake-sts.ts, fake-ec2.ts). The home account is read with the home credentials,
 * every other through `ec2led-reader`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEc2, type FakeInstance, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { type FakeSts, startFakeSts } from '../../../device/demo/fake-sts.ts';
import { accountsOf } from '../../../device/fleet/accounts.ts';
import { createAccountsEc2Source } from '../../../device/sources/accounts-ec2.ts';

const HOME = '111111111111';
const STAGING = '222222222222';
const SANDBOX = '333333333333';
const REGIONS = ['eu-west-1', 'us-east-1'];
const CREDENTIALS = async () => ({ accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' });

let ec2: FakeEc2;
let sts: FakeSts;

function instances(account: string, region: string, count: number, extra: Partial<FakeInstance> = {}) {
  return Array.from({ length: count }, (_, n) => ({
    instanceId: `i-${account.slice(0, 4)}${region.slice(0, 2)}${n.toString(16).padStart(10, '0')}`,
    state: 'running' as const,
    tags: { Name: `${account}-${region}-${n}`, team: n % 2 === 0 ? 'platform' : 'data' },
    ...extra,
  }));
}

function source(entries: Parameters<typeof accountsOf>[0] = [HOME, STAGING, SANDBOX]) {
  return createAccountsEc2Source({
    accounts: accountsOf(entries),
    regions: REGIONS,
    credentials: CREDENTIALS,
    sessionName: 'board-1',
    ec2Endpoint: ec2.url,
    stsEndpoint: sts.url,
    retry: { attempts: 2, baseMs: 5, capMs: 10 },
  });
}

beforeAll(async () => {
  ec2 = await startFakeEc2({ account: HOME });
  sts = await startFakeSts();
});

afterEach(() => {
  for (const account of [HOME, STAGING, SANDBOX]) {
    sts.allow(account);
    for (const region of REGIONS) ec2.setInstances(region, [], account);
  }
  (sts.requests as unknown[]).length = 0;
});

afterAll(async () => {
  await ec2?.close();
  await sts?.close();
});

describe('listing every account and region', () => {
  it('lists three accounts × two regions, each instance under the account that owns it', async () => {
    for (const account of [HOME, STAGING, SANDBOX])
      for (const [i, region] of REGIONS.entries())
        ec2.setInstances(region, instances(account, region, 3 + i), account);
    const ec2Source = source();
    const snapshot = await ec2Source.list();
    ec2Source.close();

    expect(snapshot.failedAccounts).toBeUndefined();
    const count = (account: string, region: string) =>
      snapshot.items.filter((d) => d.account === account && d.region === region).length;
    for (const account of [HOME, STAGING, SANDBOX]) {
      expect(count(account, 'eu-west-1')).toBe(3);
      expect(count(account, 'us-east-1')).toBe(4);
    }
    // The home account with the home credentials; the others through their reader role, once each.
    expect(sts.requests.map((r) => r.roleArn).sort()).toEqual(
      [`arn:aws:iam::${STAGING}:role/ec2led-reader`, `arn:aws:iam::${SANDBOX}:role/ec2led-reader`].sort(),
    );
    for (const request of sts.requests) {
      expect(request).toMatchObject({
        roleSessionName: 'board-1',
        sourceIdentity: 'board-1',
        durationSeconds: 3600,
      });
    }
  });

  it('names an account whose role is denied and still lists the others', async () => {
    for (const account of [HOME, STAGING, SANDBOX])
      ec2.setInstances('eu-west-1', instances(account, 'eu-west-1', 2), account);
    sts.deny(STAGING);
    const ec2Source = source();
    const snapshot = await ec2Source.list();
    ec2Source.close();

    expect(snapshot.failedAccounts?.map((f) => f.account)).toEqual([STAGING]);
    expect(snapshot.failedAccounts?.[0]?.reason).toMatch(
      /AssumeRole arn:aws:iam::222222222222:role\/ec2led-reader failed: AccessDenied.*deploy the ec2-led member stack/,
    );
    expect(new Set(snapshot.items.map((d) => d.account))).toEqual(new Set([HOME, SANDBOX]));
  });

  it('rejects only when every account fails', async () => {
    sts.deny(STAGING);
    const ec2Source = createAccountsEc2Source({
      accounts: accountsOf([HOME, STAGING]),
      regions: REGIONS,
      credentials: CREDENTIALS,
      sessionName: 'board-1',
      ec2Endpoint: 'http://127.0.0.1:1',
      stsEndpoint: sts.url,
      retry: { attempts: 1, baseMs: 5, capMs: 10 },
    });
    await expect(ec2Source.list()).rejects.toThrow(/every account failed: .*AccessDenied/);
    ec2Source.close();
  });

  it("applies an account's own tag filter to that account only", async () => {
    ec2.setInstances('eu-west-1', instances(HOME, 'eu-west-1', 4), HOME);
    ec2.setInstances('eu-west-1', instances(STAGING, 'eu-west-1', 4), STAGING);
    const ec2Source = source([
      HOME,
      { id: STAGING, label: 'staging', tagFilter: { key: 'team', value: 'platform' } },
    ]);
    const snapshot = await ec2Source.list();
    ec2Source.close();
    expect(snapshot.items.filter((d) => d.account === HOME)).toHaveLength(4);
    expect(snapshot.items.filter((d) => d.account === STAGING).map((d) => d.tags.team)).toEqual([
      'platform',
      'platform',
    ]);
  });

  it('describes ids in every account and keeps what each found', async () => {
    const staging = instances(STAGING, 'us-east-1', 2);
    ec2.setInstances('us-east-1', staging, STAGING);
    const ec2Source = source([HOME, STAGING]);
    const details = await ec2Source.describeIds('us-east-1', [
      staging[0]?.instanceId ?? '',
      'i-0000000000000000f',
    ]);
    ec2Source.close();
    expect(details.map((d) => [d.id, d.account])).toEqual([[staging[0]?.instanceId, STAGING]]);
  });
});
