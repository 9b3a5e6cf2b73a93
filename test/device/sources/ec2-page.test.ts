/**
 * A listing from a broken response is not the truth: the real AWS SDK against the loopback FakeEc2
 * answering HTTP 200 with pages a broken proxy or endpoint makes (device/demo/fake-ec2.ts `breakNext`).
 * Without the page check (sources/ec2-page.ts) the SDK returned 0 instances and no error for most of
 * these, and the agent said `synced`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeEc2,
  type FakeInstance,
  PAGE_FAULTS,
  type PageFault,
  startFakeEc2,
} from '../../../device/demo/fake-ec2.ts';
import { createEc2Source, type Ec2SourceOptions, LIMITS } from '../../../device/sources/ec2.ts';
import { classifyListingError } from '../../../device/sources/ec2-errors.ts';
import { checkDescribeInstancesPage, MAX_PAGE_BYTES } from '../../../device/sources/ec2-page.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
let fake: FakeEc2;

function source(overrides: Partial<Ec2SourceOptions> = {}) {
  return createEc2Source({
    regions: ['eu-west-1'],
    credentials: CREDENTIALS,
    endpoint: fake.url,
    retry: { attempts: 4, baseMs: 5, capMs: 20 },
    ...overrides,
  });
}

const FLEET: FakeInstance[] = [
  { instanceId: 'i-0123456789abcdef0', state: 'running', tags: { Name: 'web' } },
  { instanceId: 'i-0123456789abcdef1', state: 'stopped', tags: { Name: 'db' } },
];

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the listing to fail');
    },
    (error: unknown) => error as Error,
  );
}

beforeAll(async () => {
  fake = await startFakeEc2({ host: '127.0.0.1', port: 0 });
});

afterEach(() => {
  fake.breakNext(0, 'padded');
  fake.setInstances('eu-west-1', []);
});

afterAll(async () => {
  await fake?.close();
});

/** What each fault is refused for, in the message. */
const WHY: Readonly<Record<PageFault, RegExp>> = {
  padded: /<reservationSet> holds text beside elements/,
  truncated: /cut short/,
  html: /unexpected markup "<!DOCTYPE/,
  'no-reservation-set': /has 0 <reservationSet> elements/,
  empty: /the body is empty/,
  'gzip-junk': /not UTF-8 text|not XML/,
  'wrong-item': /<reservationSet> holds <itme>, not <item>/,
  'trailing-junk': /content after <\/DescribeInstancesResponse>/,
};

describe('a DescribeInstances page that is not one fails the listing', () => {
  it.each(PAGE_FAULTS)('%s: a failed listing with the fix, never an empty fleet', async (fault) => {
    fake.setInstances('eu-west-1', FLEET);
    fake.breakNext(1, fault);
    const ec2 = source();
    const error = await failure(ec2.list());
    expect(error.name).toBe('Ec2Error');
    expect(classifyListingError(error.cause)).toBe('malformed');
    expect(error.message).toMatch(WHY[fault]);
    expect(error.message).toMatch(
      /aws\.ec2Endpoint .* answered with a page the agent cannot take as the truth/,
    );
    // Not retried page by page: the sync core's backoff retries the whole listing, as for a 500.
    expect(fake.calls['eu-west-1']).toBe(1);
    // The next listing, from a good page, is the truth again.
    expect((await ec2.list()).items.map((i) => i.id)).toEqual(FLEET.map((f) => f.instanceId));
    ec2.close();
    for (const region of Object.keys(fake.calls)) delete (fake.calls as Record<string, number>)[region];
  });

  it('50 MB of spaces inserted by a proxy: refused at the page limit, the stream cut there', async () => {
    fake.setInstances('eu-west-1', FLEET);
    fake.breakNext(1, 'padded', { padBytes: 50_000_000 });
    const ec2 = source();
    const error = await failure(ec2.list());
    ec2.close();
    expect(error.message).toMatch(/a page ran over 16 MiB/);
    expect(classifyListingError(error.cause)).toBe('malformed');
  });

  it('a newline in the whitespace between elements, as EC2 indents, is a good page', async () => {
    fake.setInstances('eu-west-1', FLEET);
    const page = await rawPage();
    expect(checkDescribeInstancesPage(page.replace('<reservationSet>', '<reservationSet>\n    '))).toEqual({
      ok: true,
      instances: 2,
    });
  });
});

describe('what one listing may hold is what EC2 can hold', () => {
  it('a tag value over 256 characters is a bad response: the listing fails naming the instance and the tag', async () => {
    fake.setInstances('eu-west-1', [
      ...FLEET,
      { instanceId: 'i-0123456789abcdef2', state: 'running', tags: { Name: 'x', note: 'v'.repeat(257) } },
    ]);
    const ec2 = source();
    const error = await failure(ec2.list());
    ec2.close();
    expect(error.message).toMatch(
      /i-0123456789abcdef2 with a tag "note" of 257 characters \(EC2 allows 256\)/,
    );
    expect(classifyListingError(error.cause)).toBe('malformed');
  });

  it('a tag key over 128 characters, or more tags than EC2 allows, fails the listing too', async () => {
    fake.setInstances('eu-west-1', [
      { instanceId: 'i-0123456789abcdef2', state: 'running', tags: { ['k'.repeat(129)]: 'v' } },
    ]);
    const ec2 = source();
    expect((await failure(ec2.list())).message).toMatch(/a tag key of 129 characters \(EC2 allows 128\)/);
    const many = Object.fromEntries(Array.from({ length: LIMITS.tags + 1 }, (_, n) => [`k${n}`, 'v']));
    fake.setInstances('eu-west-1', [{ instanceId: 'i-0123456789abcdef2', state: 'running', tags: many }]);
    expect((await failure(ec2.list())).message).toMatch(/with 61 tags \(EC2 allows 50\)/);
    ec2.close();
  });

  it('keys and values at the limit, in characters not UTF-16 units, are listed', async () => {
    const value = '€'.repeat(128) + '😀'.repeat(128); // 256 characters, 384 UTF-16 units
    fake.setInstances('eu-west-1', [
      { instanceId: 'i-0123456789abcdef2', state: 'running', tags: { ['k'.repeat(128)]: value } },
    ]);
    const ec2 = source();
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.items[0]?.tags['k'.repeat(128)]).toBe(value);
  });

  it('a 50 MB tag value is refused at the page limit before the SDK reads it', async () => {
    fake.setInstances('eu-west-1', [
      { instanceId: 'i-0123456789abcdef2', state: 'running', tags: { Name: 'x'.repeat(50_000_000) } },
    ]);
    const ec2 = source();
    expect((await failure(ec2.list())).message).toMatch(/a page ran over 16 MiB/);
    ec2.close();
  });
});

describe('the page check (pure)', () => {
  it('accepts a page as EC2 writes it (indented, namespaces, nested sets) and counts its instances', () => {
    expect(checkDescribeInstancesPage(AWS_PAGE)).toEqual({ ok: true, instances: 2 });
  });

  it.each([
    [
      '<Response><Errors><Error><Code>X</Code></Error></Errors><RequestID>1</RequestID></Response>',
      /root element is <Response>/,
    ],
    ['<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>', /0 <requestId>/],
    [AWS_PAGE.replace('<instancesSet>', '<instancesSet>&#32;'), /<instancesSet> holds text beside elements/],
    [
      AWS_PAGE.replace('</reservationSet>', 'junk</reservationSet>'),
      /<reservationSet> holds text beside elements/,
    ],
    [AWS_PAGE.replace('<requestId>', '<requestId><'), /tag without a name|not closed/],
    [AWS_PAGE.replace('</instanceId>', '</instanceID>'), /<\/instanceID> closes <instanceId>/],
    [`${'<a>'.repeat(100)}`, /root element is <a>/],
    [`<DescribeInstancesResponse>${'<a>'.repeat(100)}`, /nest deeper than 64/],
    [AWS_PAGE.replace(/<instancesSet>[\s\S]*?<\/instancesSet>/, ''), /a reservation has no <instancesSet>/],
  ])('refuses %#', (page, why) => {
    const check = checkDescribeInstancesPage(page);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.problem).toMatch(why);
  });

  it('refuses a page cut anywhere', () => {
    for (let cut = 0; cut < AWS_PAGE.length - 1; cut += 7) {
      expect(checkDescribeInstancesPage(AWS_PAGE.slice(0, cut)).ok, `cut at ${cut}`).toBe(false);
    }
  });

  it('the SDK reads as many instances from an accepted page as the check counted', async () => {
    const server = await serve(AWS_PAGE);
    const ec2 = source({ endpoint: server.url });
    const snapshot = await ec2.list();
    ec2.close();
    await server.close();
    expect(snapshot.items.map((i) => [i.id, i.state, i.name])).toEqual([
      ['i-1234567890abcdef0', 'running', 'web-1'],
      ['i-0598c7d356eba48d7', 'stopped', undefined],
    ]);
    expect(MAX_PAGE_BYTES).toBe(16 * 1024 * 1024);
  });
});

async function rawPage(): Promise<string> {
  const res = await fetch(fake.url, {
    method: 'POST',
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20261207/eu-west-1/ec2/aws4_request',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'Action=DescribeInstances&Version=2016-11-15',
  });
  return res.text();
}

async function serve(body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A page as EC2 writes it: the shape of the DescribeInstances example in the EC2 API Reference
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html, Example 1),
 * indented with newlines, with the nested sets an instance carries; two reservations.
 */
const AWS_PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <dnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</dnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName/>
                        <tenancy>default</tenancy>
                    </placement>
                    <monitoring>
                        <state>disabled</state>
                    </monitoring>
                    <subnetId>subnet-56f5f633</subnetId>
                    <vpcId>vpc-11112222</vpcId>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <ipAddress>54.194.252.215</ipAddress>
                    <sourceDestCheck>true</sourceDestCheck>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076980</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <architecture>x86_64</architecture>
                    <rootDeviceType>ebs</rootDeviceType>
                    <rootDeviceName>/dev/xvda</rootDeviceName>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <attachTime>2015-12-22T10:44:09.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <virtualizationType>hvm</virtualizationType>
                    <clientToken>xMcwG14507example</clientToken>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>web-1</value>
                        </item>
                    </tagSet>
                    <hypervisor>xen</hypervisor>
                    <networkInterfaceSet>
                        <item>
                            <networkInterfaceId>eni-551ba033</networkInterfaceId>
                            <subnetId>subnet-56f5f633</subnetId>
                            <vpcId>vpc-11112222</vpcId>
                            <description>Primary network interface</description>
                            <ownerId>123456789012</ownerId>
                            <status>in-use</status>
                            <macAddress>02:dd:2c:5e:01:69</macAddress>
                            <privateIpAddress>192.168.1.88</privateIpAddress>
                            <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                            <sourceDestCheck>true</sourceDestCheck>
                            <groupSet>
                                <item>
                                    <groupId>sg-e4076980</groupId>
                                    <groupName>SecurityGroup1</groupName>
                                </item>
                            </groupSet>
                            <attachment>
                                <attachmentId>eni-attach-39697adc</attachmentId>
                                <deviceIndex>0</deviceIndex>
                                <status>attached</status>
                                <attachTime>2018-05-08T16:46:19.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </attachment>
                            <privateIpAddressesSet>
                                <item>
                                    <privateIpAddress>192.168.1.88</privateIpAddress>
                                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                                    <primary>true</primary>
                                </item>
                            </privateIpAddressesSet>
                            <ipv6AddressesSet/>
                        </item>
                    </networkInterfaceSet>
                    <ebsOptimized>false</ebsOptimized>
                    <enaSupport>true</enaSupport>
                    <cpuOptions>
                        <coreCount>1</coreCount>
                        <threadsPerCore>1</threadsPerCore>
                    </cpuOptions>
                </item>
            </instancesSet>
        </item>
        <item>
            <reservationId>r-0598c7d356eba48d7</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-0598c7d356eba48d7</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>80</code>
                        <name>stopped</name>
                    </instanceState>
                    <instanceType>t2.micro</instanceType>
                    <tagSet/>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
</DescribeInstancesResponse>
`;
