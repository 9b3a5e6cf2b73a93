/** The EC2 source with the real AWS SDK against the loopback FakeEc2 (device/demo/fake-ec2.ts). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEc2, type FakeInstance, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { createEc2Source, type Ec2SourceOptions } from '../../../device/sources/ec2.ts';
import { startStallProxy } from '../../fakes/stall-proxy.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
let fake: FakeEc2;

function source(overrides: Partial<Ec2SourceOptions> = {}) {
  return createEc2Source({
    regions: ['eu-west-1', 'us-east-1'],
    credentials: CREDENTIALS,
    endpoint: fake.url,
    retry: { attempts: 4, baseMs: 5, capMs: 20 },
    ...overrides,
  });
}

function fleet(count: number, prefix = 'a'): FakeInstance[] {
  return Array.from({ length: count }, (_, n) => ({
    instanceId: `i-${prefix}${n.toString(16).padStart(16, '0')}`,
    state: n % 2 === 0 ? 'running' : 'stopped',
    tags: { Name: `web-${n}`, team: n % 3 === 0 ? 'platform' : 'data' },
  }));
}

beforeAll(async () => {
  fake = await startFakeEc2({ host: '127.0.0.1', port: 0 });
});

afterEach(() => {
  fake.throttleNext(0, 'eu-west-1');
  fake.throttleNext(0, 'us-east-1');
  fake.setInstances('eu-west-1', []);
  fake.setInstances('us-east-1', []);
  for (const region of Object.keys(fake.calls)) delete (fake.calls as Record<string, number>)[region];
});

afterAll(async () => {
  await fake?.close();
});

describe('listing with DescribeInstances', () => {
  it('returns every instance of every region with its Name, tags, account and state', async () => {
    fake.setInstances('eu-west-1', [
      { instanceId: 'i-0123456789abcdef0', state: 'running', tags: { Name: 'web <1> & "co"', env: 'prod' } },
    ]);
    fake.setInstances('us-east-1', [
      { instanceId: 'i-0aaaaaaaaaaaaaaa1', state: 'shutting-down', account: '210987654321' },
    ]);
    const ec2 = source({ now: () => 1_000 });
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.startedAtMs).toBe(1_000);
    expect(snapshot.items).toEqual([
      {
        id: 'i-0123456789abcdef0',
        region: 'eu-west-1',
        account: '123456789012',
        state: 'running',
        name: 'web <1> & "co"',
        tags: { Name: 'web <1> & "co"', env: 'prod' },
      },
      {
        id: 'i-0aaaaaaaaaaaaaaa1',
        region: 'us-east-1',
        account: '210987654321',
        state: 'shutting-down',
        name: undefined,
        tags: {},
      },
    ]);
  });

  it('pages through 2,500 instances at 1,000 a request', async () => {
    fake.setInstances('eu-west-1', fleet(2_500));
    const ec2 = source({ regions: ['eu-west-1'] });
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.items).toHaveLength(2_500);
    expect(new Set(snapshot.items.map((i) => i.id)).size).toBe(2_500);
    expect(fake.calls).toEqual({ 'eu-west-1': 3 });
  });

  it('asks for tagged instances only when a tag filter is configured', async () => {
    fake.setInstances('eu-west-1', fleet(9));
    const ec2 = source({ regions: ['eu-west-1'], tagFilter: { key: 'team', value: 'platform' } });
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.items.map((i) => i.name)).toEqual(['web-0', 'web-3', 'web-6']);
  });

  it('backs off on RequestLimitExceeded, reports throttled, and still completes the listing', async () => {
    fake.setInstances('eu-west-1', fleet(3));
    fake.throttleNext(2, 'eu-west-1');
    const throttled: { region: string; attempt: number }[] = [];
    const ec2 = source({ onThrottled: ({ region, attempt }) => throttled.push({ region, attempt }) });
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.items).toHaveLength(3);
    expect(throttled).toEqual([
      { region: 'eu-west-1', attempt: 1 },
      { region: 'eu-west-1', attempt: 2 },
    ]);
    expect(fake.calls).toEqual({ 'eu-west-1': 3, 'us-east-1': 1 });
  });

  it('gives up after its attempts with an error naming the region and the throttle', async () => {
    fake.throttleNext(10, 'us-east-1');
    const ec2 = source();
    await expect(ec2.list()).rejects.toMatchObject({
      message: expect.stringMatching(/DescribeInstances failed in us-east-1: RequestLimitExceeded/),
      throttled: true,
    });
    ec2.close();
    expect(fake.calls['us-east-1']).toBe(4);
  });

  it('stops retrying at once when the listing is aborted', async () => {
    fake.throttleNext(10, 'eu-west-1');
    const ec2 = source({ regions: ['eu-west-1'], retry: { attempts: 10, baseMs: 5_000, capMs: 5_000 } });
    const abort = new AbortController();
    const listing = ec2.list(abort.signal);
    setTimeout(() => abort.abort(), 50);
    const startedAt = Date.now();
    await expect(listing).rejects.toThrow(/eu-west-1/);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    ec2.close();
  });

  it('gives up on an endpoint that accepts and never answers, without retrying, and works once it heals', async () => {
    fake.setInstances('eu-west-1', fleet(3));
    const proxy = await startStallProxy(Number(new URL(fake.url).port));
    try {
      const ec2 = source({
        regions: ['eu-west-1'],
        endpoint: proxy.url,
        timeouts: { connectMs: 200, requestMs: 300 },
      });
      const startedAt = Date.now();
      await expect(ec2.list()).rejects.toThrow(/eu-west-1: TimeoutError: .*did not answer in time/);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      expect(proxy.accepted).toBe(1);
      proxy.heal();
      expect((await ec2.list()).items).toHaveLength(3);
      ec2.close();
    } finally {
      await proxy.close();
    }
  });

  it('honours AWS_ENDPOINT_URL_EC2 when no endpoint is configured', async () => {
    fake.setInstances('eu-west-1', fleet(1));
    const saved = process.env.AWS_ENDPOINT_URL_EC2;
    process.env.AWS_ENDPOINT_URL_EC2 = fake.url;
    try {
      const ec2 = source({ regions: ['eu-west-1'], endpoint: undefined });
      expect((await ec2.list()).items).toHaveLength(1);
      ec2.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EC2;
      else process.env.AWS_ENDPOINT_URL_EC2 = saved;
    }
  });
});

describe('describing instances first seen live', () => {
  it('returns the known ids and leaves out unknown ones without failing', async () => {
    const instances = fleet(5);
    fake.setInstances('eu-west-1', instances);
    const ec2 = source();
    const ids = [instances[1]?.instanceId ?? '', instances[4]?.instanceId ?? '', 'i-0fffffffffffffff0'];
    const found = await ec2.describeIds('eu-west-1', ids);
    ec2.close();
    expect(found.map((i) => i.id)).toEqual([instances[1]?.instanceId, instances[4]?.instanceId]);
    expect(fake.calls).toEqual({ 'eu-west-1': 1 });
  });

  it('refuses a region outside aws.regions without calling AWS', async () => {
    const instances = fleet(1);
    fake.setInstances('ap-south-1', instances);
    const ec2 = source();
    await expect(ec2.describeIds('ap-south-1', [instances[0]?.instanceId ?? ''])).rejects.toThrow(
      /ap-south-1: not in aws\.regions \(eu-west-1, us-east-1\)/,
    );
    ec2.close();
    expect(fake.calls).toEqual({});
  });

  it('applies the tag filter to live instances too', async () => {
    const instances = fleet(2);
    fake.setInstances('eu-west-1', instances);
    const ec2 = source({ tagFilter: { key: 'team', value: 'platform' } });
    const found = await ec2.describeIds(
      'eu-west-1',
      instances.map((i) => i.instanceId),
    );
    ec2.close();
    expect(found.map((i) => i.name)).toEqual(['web-0']);
  });
});
