/**
 * Fixes that name the right service: when the member account's role cannot be assumed, the listing's
 * reason gives STS's fix (aws.stsEndpoint, the reader role's trust policy, the organization, the home
 * credentials), never EC2's (aws.ec2Endpoint, ec2:DescribeInstances, aws.regions). The real AWS SDK
 * against the loopback EC2 and STS (device/demo/fake-ec2.ts, fake-sts.ts), a loopback STS that
 * answers with STS's error XML, a port nobody listens on and a proxy that never answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEc2, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { type FakeSts, startFakeSts } from '../../../device/demo/fake-sts.ts';
import { accountsOf } from '../../../device/fleet/accounts.ts';
import { createAccountsEc2Source } from '../../../device/sources/accounts-ec2.ts';
import { freePort } from '../../fakes/mosquitto.ts';
import { startStallProxy } from '../../fakes/stall-proxy.ts';

const HOME = '111111111111';
const MEMBER = '222222222222';
const CREDENTIALS = async () => ({ accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' });

let ec2: FakeEc2;
let sts: FakeSts;
let stsError: Server;
let stsErrorUrl = '';
let stsAnswer = {
  status: 403,
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid.',
};

beforeAll(async () => {
  ec2 = await startFakeEc2({ account: HOME });
  ec2.setInstances('eu-west-1', [{ instanceId: 'i-0000000000000001', state: 'running' }], HOME);
  sts = await startFakeSts();
  stsError = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(stsAnswer.status, { 'content-type': 'text/xml' });
      res.end(
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
          `<Code>${stsAnswer.code}</Code><Message>${stsAnswer.message}</Message></Error>` +
          '<RequestId>4d1c0d0f-example</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => stsError.listen(0, '127.0.0.1', resolve));
  stsErrorUrl = `http://127.0.0.1:${(stsError.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([
    ec2?.close(),
    sts?.close(),
    new Promise((resolve) => {
      stsError?.closeAllConnections();
      stsError?.close(resolve);
    }),
  ]);
});

/** The member account's reason in the snapshot (the home account lists as usual). */
async function memberReason(stsEndpoint: string, requestMs = 30_000): Promise<string> {
  const source = createAccountsEc2Source({
    accounts: accountsOf([HOME, MEMBER]),
    regions: ['eu-west-1'],
    credentials: CREDENTIALS,
    sessionName: 'board-1',
    ec2Endpoint: ec2.url,
    stsEndpoint,
    timeouts: { connectMs: 5_000, requestMs },
    retry: { attempts: 1, baseMs: 1, capMs: 1 },
  });
  try {
    const snapshot = await source.list();
    expect(snapshot.items.map((i) => i.account)).toEqual([HOME]);
    const failed = snapshot.failedAccounts?.find((f) => f.account === MEMBER);
    if (failed === undefined) throw new Error('expected the member account to fail');
    return failed.reason;
  } finally {
    source.close();
  }
}

/** None of EC2's fixes: the listing never reached EC2 for this account. */
function expectNoEc2Fix(reason: string, regions = false): void {
  expect(reason).not.toMatch(/aws\.ec2Endpoint|ec2:DescribeInstances/);
  if (!regions) expect(reason).not.toMatch(/aws\.regions/);
  expect(reason).toMatch(/EC2 was not asked/);
}

describe('an AssumeRole failure gets an STS fix', () => {
  it('STS unreachable: names aws.stsEndpoint and the network code', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const reason = await memberReason(closed);
    expect(reason).toMatch(
      new RegExp(
        `aws\\.stsEndpoint ${closed} is unreachable \\(ECONNREFUSED\\): check the network, DNS and aws\\.stsEndpoint`,
      ),
    );
    expectNoEc2Fix(reason);
  });

  it('STS silent past the request timeout: names aws.stsEndpoint', async () => {
    const stall = await startStallProxy(1);
    try {
      const reason = await memberReason(stall.url, 300);
      expect(reason).toMatch(/aws\.stsEndpoint http:\/\/127\.0\.0\.1:\d+ did not answer in time/);
      expectNoEc2Fix(reason);
    } finally {
      await stall.close();
    }
  });

  it('AccessDenied: the member stack, the reader role trust policy and the organization', async () => {
    sts.deny(MEMBER);
    try {
      const reason = await memberReason(sts.url);
      expect(reason).toMatch(/AssumeRole arn:aws:iam::222222222222:role\/ec2led-reader failed: AccessDenied/);
      expect(reason).toMatch(/deploy the ec2-led member stack in 222222222222/);
      expect(reason).toMatch(/trust policy admits the home account's device role/);
      expect(reason).toMatch(/organization/);
      expectNoEc2Fix(reason);
    } finally {
      sts.allow(MEMBER);
    }
  });

  it('an invalid home token: the home credentials and the clock, not aws.regions', async () => {
    stsAnswer = {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    };
    const reason = await memberReason(stsErrorUrl);
    expect(reason).toMatch(/InvalidClientTokenId/);
    expect(reason).toMatch(
      /STS did not accept the home credentials \(InvalidClientTokenId\): check the clock \(NTP\), aws\.credentials/,
    );
    expectNoEc2Fix(reason);
  });

  it('STS not activated in the region: says where to activate it', async () => {
    stsAnswer = {
      status: 403,
      code: 'RegionDisabledException',
      message: 'STS is not activated in this region.',
    };
    const reason = await memberReason(stsErrorUrl);
    expect(reason).toMatch(
      /STS is not activated in eu-west-1 for the home account: activate it .* or put another region first in aws\.regions/,
    );
    expectNoEc2Fix(reason, true);
  });

  it('an STS server error: brief, relisted with backoff', async () => {
    stsAnswer = { status: 500, code: 'InternalFailure', message: 'internal' };
    const reason = await memberReason(stsErrorUrl);
    expect(reason).toMatch(/STS answered HTTP 500/);
    expectNoEc2Fix(reason);
  });
});
