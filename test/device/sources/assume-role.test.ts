/** The `ec2led-reader` session: cached, refreshed before expiry on a fake clock, errors with the fix. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSts, startFakeSts } from '../../../device/demo/fake-sts.ts';
import { assumeRoleCredentials, CHAINED_SESSION_SECONDS } from '../../../device/sources/assume-role.ts';

let clock = 0;
const now = () => clock;
let sts: FakeSts;
let homeKeys = 0;
/** The home layer: a new key each time the SDK asks, expiring soon by the real clock so it asks every time. */
const home = async () => {
  homeKeys += 1;
  return {
    accessKeyId: `AKIDHOME${homeKeys}`,
    secretAccessKey: 's',
    expiration: new Date(Date.now() + 60_000),
  };
};

beforeAll(async () => {
  sts = await startFakeSts({ now });
});
beforeEach(() => {
  clock = Date.parse('2026-11-29T03:00:00Z');
  homeKeys = 0;
  (sts.requests as unknown[]).length = 0;
  sts.allow('222222222222');
});
afterAll(async () => {
  await sts?.close();
});

function provider() {
  return assumeRoleCredentials({
    account: '222222222222',
    sessionName: 'board-1',
    source: home,
    region: 'eu-west-1',
    endpoint: sts.url,
    now,
  });
}

describe('assumed role session', () => {
  it('asks for a one-hour chained session named after the thing, once while it is fresh', async () => {
    const credentials = provider();
    const [a, b] = await Promise.all([credentials(), credentials()]);
    const c = await credentials();
    credentials.close();
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(sts.requests).toHaveLength(1);
    expect(sts.requests[0]).toMatchObject({
      roleArn: 'arn:aws:iam::222222222222:role/ec2led-reader',
      roleSessionName: 'board-1',
      sourceIdentity: 'board-1',
      durationSeconds: CHAINED_SESSION_SECONDS,
    });
    expect(a.accessKeyId).toMatch(/^ASIA222222222222[A-Z]{4}$/);
    expect(a.expiration?.getTime()).toBe(clock + 3_600_000);
  });

  it('refreshes five minutes before expiry, signed with refreshed home credentials', async () => {
    const credentials = provider();
    const first = await credentials();
    clock += 54 * 60_000;
    expect(await credentials()).toBe(first);
    clock += 2 * 60_000; // 4 min before expiry
    const second = await credentials();
    credentials.close();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.expiration?.getTime()).toBe(clock + 3_600_000);
    expect(sts.requests).toHaveLength(2);
    // Both layers moved: the second AssumeRole was signed with a newer home key than the first.
    expect(sts.requests[0]?.signedBy).not.toBe(sts.requests[1]?.signedBy);
    expect(sts.requests[1]?.signedBy).toMatch(/^AKIDHOME\d+$/);
  });

  it('keeps serving a still-valid session when the refresh fails, then fails with the fix', async () => {
    const credentials = provider();
    const first = await credentials();
    sts.deny('222222222222');
    clock += 57 * 60_000;
    expect(await credentials()).toBe(first);
    clock += 4 * 60_000; // expired
    await expect(credentials()).rejects.toThrow(
      /AssumeRole arn:aws:iam::222222222222:role\/ec2led-reader failed: AccessDenied: .*deploy the ec2-led member stack in 222222222222/,
    );
    credentials.close();
  });
});
