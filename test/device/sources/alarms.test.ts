/**
 * The alarm source with the real AWS SDK (@aws-sdk/client-cloudwatch, JSON 1.0 protocol) against the
 * loopback FakeCloudWatch (device/demo/fake-cloudwatch.ts): listing, paging, prefixes, throttling,
 * errors with their fix; then the listing with instances (listing.ts) and the sync over it, where a
 * lost alarm event is healed by the relist.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../device/base/log.ts';
import { type FakeCloudWatch, startFakeCloudWatch } from '../../../device/demo/fake-cloudwatch.ts';
import { type FakeEc2, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { initialSyncState, type SyncEvent, type SyncState, step } from '../../../device/fleet/sync.ts';
import { type AlarmSourceOptions, createAlarmSource } from '../../../device/sources/alarms.ts';
import { createEc2Source } from '../../../device/sources/ec2.ts';
import { withAlarms } from '../../../device/sources/listing.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
const ACCOUNT = '123456789012';
let cloudwatch: FakeCloudWatch;
let ec2: FakeEc2;

function source(overrides: Partial<AlarmSourceOptions> = {}) {
  return createAlarmSource({
    regions: ['eu-west-1'],
    prefixes: [''],
    credentials: CREDENTIALS,
    endpoint: cloudwatch.url,
    retry: { attempts: 3, baseMs: 5, capMs: 20 },
    ...overrides,
  });
}

beforeAll(async () => {
  cloudwatch = await startFakeCloudWatch({ account: ACCOUNT });
  ec2 = await startFakeEc2({ account: ACCOUNT });
});

afterEach(() => {
  cloudwatch.throttleNext(0);
  cloudwatch.setAlarms('eu-west-1', []);
  cloudwatch.setAlarms('us-east-1', []);
  ec2.setInstances('eu-west-1', []);
  (cloudwatch.requests as unknown[]).length = 0;
  for (const region of Object.keys(cloudwatch.calls))
    delete (cloudwatch.calls as Record<string, number>)[region];
});

afterAll(async () => {
  await cloudwatch.close();
  await ec2.close();
});

describe('alarm source (real SDK, loopback CloudWatch)', () => {
  it('lists metric and composite alarms with their ARN, name, state, region and account', async () => {
    cloudwatch.setAlarms('eu-west-1', [
      { name: 'web-5xx', state: 'ALARM', sinceMs: 1_700_000_000_000 },
      { name: 'site-up', state: 'OK', sinceMs: 1_700_000_000_000, type: 'CompositeAlarm' },
    ]);
    const alarms = source();
    const snapshot = await alarms.list();
    alarms.close();
    // Metric alarms first, then composite ones, as DescribeAlarms answers them.
    expect(snapshot.items).toEqual([
      {
        kind: 'alarm',
        id: cloudwatch.arnOf('eu-west-1', 'web-5xx'),
        region: 'eu-west-1',
        account: ACCOUNT,
        state: 'ALARM',
        name: 'web-5xx',
        tags: {},
      },
      {
        kind: 'alarm',
        id: cloudwatch.arnOf('eu-west-1', 'site-up'),
        region: 'eu-west-1',
        account: ACCOUNT,
        state: 'OK',
        name: 'site-up',
        tags: {},
      },
    ]);
    expect(cloudwatch.requests[0]?.body).toEqual({
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      MaxRecords: 100,
    });
  });

  it('follows NextToken over pages of 100, per prefix and region, and lists an alarm two prefixes match once', async () => {
    const many = Array.from({ length: 230 }, (_, n) => ({
      name: `prod-${String(n).padStart(3, '0')}`,
      state: n % 7 === 0 ? ('ALARM' as const) : ('OK' as const),
      sinceMs: 1_700_000_000_000,
    }));
    cloudwatch.setAlarms('eu-west-1', [...many, { name: 'other', state: 'OK', sinceMs: 0 }]);
    cloudwatch.setAlarms('us-east-1', [{ name: 'prod-check-www', state: 'INSUFFICIENT_DATA', sinceMs: 0 }]);
    const alarms = source({ regions: ['eu-west-1', 'us-east-1'], prefixes: ['prod-', 'prod-0'] });
    const snapshot = await alarms.list();
    alarms.close();
    expect(snapshot.items).toHaveLength(231);
    expect(snapshot.items.filter((d) => d.state === 'ALARM')).toHaveLength(33);
    expect(snapshot.items.some((d) => d.name === 'other')).toBe(false);
    expect(snapshot.items.find((d) => d.region === 'us-east-1')?.state).toBe('INSUFFICIENT_DATA');
    // prod- in eu-west-1: 3 pages; prod-0: 1 page; one page each in us-east-1.
    expect(cloudwatch.calls['eu-west-1']).toBe(4);
    expect(cloudwatch.calls['us-east-1']).toBe(2);
    expect(cloudwatch.requests.filter((r) => r.body.NextToken !== undefined)).toHaveLength(2);
  });

  it('retries a throttled page with backoff and lists in the end', async () => {
    cloudwatch.setAlarms('eu-west-1', [{ name: 'web-5xx', state: 'OK', sinceMs: 0 }]);
    cloudwatch.throttleNext(2);
    const alarms = source();
    const snapshot = await alarms.list();
    alarms.close();
    expect(snapshot.items).toHaveLength(1);
    expect(cloudwatch.calls['eu-west-1']).toBeGreaterThanOrEqual(3);
  });

  it('fails a listing throttled past its retries, marked throttled, with the fix', async () => {
    cloudwatch.throttleNext(10);
    const alarms = source();
    const failure = await alarms.list().catch((error: unknown) => error);
    alarms.close();
    expect(failure).toMatchObject({ name: 'AlarmListingError', throttled: true });
    expect((failure as Error).message).toMatch(
      /^DescribeAlarms failed in eu-west-1: Throttling: .*CloudWatch throttled DescribeAlarms in eu-west-1/,
    );
  });

  it('names the endpoint when nothing answers there', async () => {
    const alarms = source({ endpoint: 'http://127.0.0.1:1' });
    const failure = await alarms.list().catch((error: unknown) => error);
    alarms.close();
    expect((failure as Error).message).toMatch(/alarms\.endpoint http:\/\/127\.0\.0\.1:1 is unreachable/);
  });
});

describe('one listing of instances and alarms, and the sync over it', () => {
  const ARN = () => cloudwatch.arnOf('eu-west-1', 'web-5xx');
  function listing() {
    return withAlarms(
      createEc2Source({ regions: ['eu-west-1'], credentials: CREDENTIALS, endpoint: ec2.url }),
      source(),
      { account: ACCOUNT, log: silentLogger },
    );
  }

  it('lists both kinds in one snapshot; a failed alarm listing keeps the instances and names the kind', async () => {
    ec2.setInstances('eu-west-1', [
      { instanceId: 'i-0123456789abcdef0', state: 'running', tags: { Name: 'web' } },
    ]);
    cloudwatch.setAlarms('eu-west-1', [{ name: 'web-5xx', state: 'ALARM', sinceMs: 0 }]);
    const both = listing();
    const snapshot = await both.list();
    expect(snapshot.items.map((d) => [d.kind ?? 'instance', d.state])).toEqual([
      ['instance', 'running'],
      ['alarm', 'ALARM'],
    ]);
    cloudwatch.throttleNext(10);
    const partial = await both.list();
    both.close();
    expect(partial.items.map((d) => d.id)).toEqual(['i-0123456789abcdef0']);
    expect(partial.failedAccounts).toEqual([
      { account: ACCOUNT, kind: 'alarm', reason: expect.stringMatching(/^DescribeAlarms failed/) },
    ]);
  });

  it('heals a lost alarm event at the relist', async () => {
    cloudwatch.setAlarms('eu-west-1', [{ name: 'web-5xx', state: 'OK', sinceMs: 0 }]);
    const both = listing();
    let state: SyncState = initialSyncState();
    const feed = (event: SyncEvent, nowMs: number) => {
      state = step(state, event, nowMs, () => 0.5).state;
    };
    feed({ type: 'connected', rejoined: false, first: true }, 1000);
    feed({ type: 'subscribed' }, 1010);
    feed({ type: 'listed', snapshot: await both.list() }, 1020);
    expect(state.fleet.get(ARN())?.state).toBe('OK');
    // The alarm fires; its state-change event is lost on the way. The resync listing shows it.
    cloudwatch.upsert('eu-west-1', { name: 'web-5xx', state: 'ALARM', sinceMs: Date.now() });
    feed({ type: 'resync-due' }, 900_000);
    feed({ type: 'listed', snapshot: await both.list() }, 900_100);
    both.close();
    expect(state.fleet.get(ARN())).toMatchObject({ kind: 'alarm', state: 'ALARM', name: 'web-5xx' });
    // A late echo of the older OK, stamped before the listing, does not undo it.
    feed(
      {
        type: 'message',
        change: {
          kind: 'alarm',
          id: ARN(),
          name: 'web-5xx',
          state: 'OK',
          timeMs: 500,
          region: 'eu-west-1',
          account: ACCOUNT,
        },
      },
      900_200,
    );
    expect(state.fleet.get(ARN())?.state).toBe('ALARM');
  });
});
