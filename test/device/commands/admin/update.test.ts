import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  DescribeThingCommand,
  IoTClient,
  ListJobExecutionsForJobCommand,
  ListJobsCommand,
  ListThingsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceMain } from '../../../../device/commands/admin/cli.ts';
import { decodeUpdateDocument, signedText } from '../../../../shared/update-job.ts';

const iot = mockClient(IoTClient);
const s3 = mockClient(S3Client);
const cloudformation = mockClient(CloudFormationClient);
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-update-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BUCKET = 'ec2led-updatesbucket70a9d26e-1a2b3c4d5e6f';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/Ec2Led-UpdatesDownloadRole-ABC123';
const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/Ec2Led/5f0e6c10-ad33-11f0-8b1a-0a1b2c3d4e5f';
const OUTPUTS = [
  { OutputKey: 'IotDataEndpoint', OutputValue: 'abc123-ats.iot.eu-west-1.amazonaws.com' },
  { OutputKey: 'UpdateBucketName', OutputValue: BUCKET },
  { OutputKey: 'UpdateDownloadRoleArn', OutputValue: ROLE_ARN },
];
const NOW = new Date('2026-12-07T16:18:04.123Z');

/** A real arm64 .deb of ec2-led at `version`, built with dpkg-deb like npm run package:pi (xz). */
function buildDeb(version: string, name = 'ec2-led'): string {
  const tree = join(scratch, `tree-${version}-${name}`);
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(tree, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: arm64\nMaintainer: m <m@example.invalid>\nDescription: t\n`,
  );
  const deb = join(scratch, `${name}_${version}_arm64.deb`);
  const built = spawnSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, deb], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  return deb;
}

let n = 0;
let home: string;
const env = () => ({ XDG_CONFIG_HOME: home });

async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await deviceMain(
    argv,
    { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) },
    { env: env(), now: () => NOW, cwd: scratch },
  );
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

beforeEach(() => {
  n += 1;
  home = join(scratch, `config-${n}`);
  for (const mock of [iot, s3, cloudformation]) mock.reset();
  cloudformation.on(DescribeStacksCommand, { StackName: 'Ec2Led' }).resolves({
    Stacks: [
      {
        StackName: 'Ec2Led',
        StackId: STACK_ID,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: OUTPUTS,
      },
    ],
  });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  iot.on(CreateJobCommand).resolves({ jobId: 'x', jobArn: 'arn' });
});
afterEach(() => {
  for (const mock of [iot, s3, cloudformation]) mock.reset();
});

describe('ec2led device update-key create', () => {
  it('writes an Ed25519 private key 0600 and its public half, and prints the key id', async () => {
    const result = await run(['update-key', 'create']);
    expect(result.code, result.stderr).toBe(0);
    const privateFile = join(home, 'ec2led', 'update-key.pem');
    const publicFile = join(home, 'ec2led', 'update-key.pub.pem');
    const printed = JSON.parse(result.stdout) as { keyId: string };
    expect(printed).toEqual({
      keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      privateKeyFile: privateFile,
      publicKeyFile: publicFile,
    });
    expect(statSync(privateFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'ec2led')).mode & 0o777).toBe(0o700);
    const publicKey = createPublicKey(readFileSync(publicFile, 'utf8'));
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(printed.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
  });

  it('refuses to overwrite either file and leaves both as they were', async () => {
    const out = join(scratch, `keys-${n}`, 'mine.pem');
    expect((await run(['update-key', 'create', '--out', out])).code).toBe(0);
    const before = [readFileSync(out, 'utf8'), readFileSync(out.replace(/\.pem$/, '.pub.pem'), 'utf8')];
    const again = await run(['update-key', 'create', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/mine\.pem already exists; an update key is never overwritten/);
    expect([readFileSync(out, 'utf8'), readFileSync(out.replace(/\.pem$/, '.pub.pem'), 'utf8')]).toEqual(
      before,
    );

    rmSync(out);
    const publicOnly = await run(['update-key', 'create', '--out', out]);
    expect(publicOnly.code).toBe(2);
    expect(publicOnly.stderr).toMatch(/mine\.pub\.pem already exists/);
    expect(() => statSync(out)).toThrow();
  });
});

describe('ec2led device update', () => {
  it('uploads the package with its SHA-256 and creates the job with the signed document, rollout, abort and timeout', async () => {
    const created = await run(['update-key', 'create']);
    expect(created.code).toBe(0);
    const { keyId } = JSON.parse(created.stdout) as { keyId: string };
    const publicPem = readFileSync(join(home, 'ec2led', 'update-key.pub.pem'), 'utf8');
    iot.on(DescribeThingCommand, { thingName: 'desk-pi' }).resolves({
      thingName: 'desk-pi',
      attributes: { 'ec2led-stack': 'Ec2Led' },
    });
    const deb = buildDeb('0.2.0');
    const bytes = readFileSync(deb);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `packages/ec2-led_0.2.0_arm64-${sha256.slice(0, 16)}.deb`;
    const jobId = `ec2led-update-0_2_0-${sha256.slice(0, 8)}-20261207T161804Z`;

    const result = await run(['update', 'desk-pi', '--package', deb, '--region', 'eu-west-1']);

    expect(result.code, result.stderr).toBe(0);
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([
      {
        Bucket: BUCKET,
        Key: key,
        Body: expect.any(Uint8Array),
        ContentLength: bytes.length,
        ContentType: 'application/vnd.debian.binary-package',
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      },
    ]);
    expect(Buffer.from(puts[0]?.Body as Uint8Array).equals(bytes)).toBe(true);

    const jobs = iot.commandCalls(CreateJobCommand).map((call) => call.args[0].input);
    expect(jobs).toEqual([
      {
        jobId,
        targets: ['arn:aws:iot:eu-west-1:123456789012:thing/desk-pi'],
        document: expect.any(String),
        description: 'ec2led update to 0.2.0 (arm64) from stack Ec2Led',
        targetSelection: 'SNAPSHOT',
        presignedUrlConfig: { roleArn: ROLE_ARN, expiresInSec: 3600 },
        jobExecutionsRolloutConfig: { maximumPerMinute: 5 },
        abortConfig: {
          criteriaList: [
            { failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 20, minNumberOfExecutedThings: 1 },
          ],
        },
        timeoutConfig: { inProgressTimeoutInMinutes: 30 },
      },
    ]);
    const document = JSON.parse(jobs[0]?.document ?? '') as Record<string, unknown>;
    expect(document).toEqual({
      operation: 'ec2led-update',
      version: '0.2.0',
      arch: 'arm64',
      size: bytes.length,
      sha256,
      allowDowngrade: false,
      keyId,
      signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
      url: `\${aws:iot:s3-presigned-url:https://s3.eu-west-1.amazonaws.com/${BUCKET}/${key}}`,
    });
    expect(Buffer.byteLength(jobs[0]?.document ?? '')).toBeLessThanOrEqual(32 * 1024);

    // What the device gets after IoT replaced the placeholder decodes, and the signature verifies.
    const received = decodeUpdateDocument({
      ...document,
      url: 'https://s3.eu-west-1.amazonaws.com/presigned',
    });
    if ('error' in received) throw new Error(received.error);
    expect(
      verify(
        null,
        Buffer.from(signedText(received)),
        createPublicKey(publicPem),
        Buffer.from(received.signature, 'base64'),
      ),
    ).toBe(true);
    expect(JSON.parse(result.stdout)).toMatchObject({
      job: jobId,
      things: ['desk-pi'],
      version: '0.2.0',
      sha256,
      key,
    });
  });

  it('signs a downgrade only with --allow-downgrade, and targets every device of the stack with --all', async () => {
    expect((await run(['update-key', 'create'])).code).toBe(0);
    iot.on(ListThingsCommand).resolves({ things: [{ thingName: 'wall-pi' }, { thingName: 'desk-pi' }] });
    const result = await run(['update', '--all', '--package', buildDeb('0.1.0'), '--allow-downgrade']);
    expect(result.code, result.stderr).toBe(0);
    expect(iot.commandCalls(ListThingsCommand).map((call) => call.args[0].input)).toEqual([
      { attributeName: 'ec2led-stack', attributeValue: 'Ec2Led' },
    ]);
    const input = iot.commandCalls(CreateJobCommand)[0]?.args[0].input;
    expect(input?.targets).toEqual([
      'arn:aws:iot:eu-west-1:123456789012:thing/desk-pi',
      'arn:aws:iot:eu-west-1:123456789012:thing/wall-pi',
    ]);
    const document = JSON.parse(input?.document ?? '') as { allowDowngrade: boolean };
    expect(document.allowDowngrade).toBe(true);
  });

  it('refuses a thing of another stack before anything is uploaded', async () => {
    expect((await run(['update-key', 'create'])).code).toBe(0);
    iot.on(DescribeThingCommand).resolves({ thingName: 'lab-pi', attributes: { 'ec2led-stack': 'Other' } });
    const result = await run(['update', 'lab-pi', '--package', buildDeb('0.2.1')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /thing lab-pi is not a device of stack Ec2Led \(its ec2led-stack is "Other"\)/,
    );
    expect(s3.calls()).toEqual([]);
    expect(iot.commandCalls(CreateJobCommand)).toEqual([]);
  });

  it('refuses a missing device, a package that is not ec2-led, and a missing key, uploading nothing', async () => {
    iot.on(DescribeThingCommand).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const noKey = await run(['update', 'desk-pi', '--package', buildDeb('0.2.2')]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(
      /update-key\.pem cannot be read \(ENOENT\); make one with ec2led device update-key create/,
    );

    expect((await run(['update-key', 'create'])).code).toBe(0);
    const missing = await run(['update', 'desk-pi', '--package', buildDeb('0.2.2')]);
    expect(missing.stderr).toMatch(/there is no device desk-pi/);
    const other = await run(['update', 'desk-pi', '--package', buildDeb('1.0.0', 'nginx')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/is the package "nginx", not ec2-led/);
    expect(s3.calls()).toEqual([]);
  });

  it('says to redeploy when the stack predates updates by job', async () => {
    expect((await run(['update-key', 'create'])).code).toBe(0);
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Ec2Led',
          StackId: STACK_ID,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: [],
        },
      ],
    });
    const result = await run(['update', 'desk-pi', '--package', buildDeb('0.2.3')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /has no output UpdateBucketName: it was deployed before updates by job; deploy .*npx cdk deploy Ec2Led/,
    );
    expect(s3.calls()).toEqual([]);
  });

  it('checks its command line', async () => {
    for (const [argv, message] of [
      [['update', 'desk-pi'], /needs --package FILE/],
      [['update', '--package', 'x.deb'], /needs NAME, or --all/],
      [['update', 'desk-pi', '--all', '--package', 'x.deb'], /give NAME or --all, not both/],
      [['update', 'desk-pi', '--package', 'x.deb', '--board', 'terminal'], /device update takes no --board/],
      [['create', 'desk-pi', '--package', 'x.deb'], /device create takes no --package/],
      [['update-key', 'make'], /use ec2led device update-key create/],
      [['update', '--status', 'job with spaces'], /is not a job id/],
    ] as const) {
      const result = await run([...argv]);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('ec2led device update --status', () => {
  it('prints each device execution of the newest update job with what the device reported', async () => {
    iot.on(ListJobsCommand).resolves({
      jobs: [
        { jobId: 'ec2led-update-0_1_0-aa-20261201T000000Z', createdAt: new Date('2026-12-01T00:00:00Z') },
        { jobId: 'someone-elses-job', createdAt: new Date('2026-12-08T00:00:00Z') },
        { jobId: 'ec2led-update-0_2_0-bb-20261207T000000Z', createdAt: new Date('2026-12-07T00:00:00Z') },
      ],
    });
    const job = 'ec2led-update-0_2_0-bb-20261207T000000Z';
    iot.on(DescribeJobCommand, { jobId: job }).resolves({ job: { jobId: job, status: 'IN_PROGRESS' } });
    iot.on(ListJobExecutionsForJobCommand, { jobId: job }).resolves({
      executionSummaries: [
        {
          thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/wall-pi',
          jobExecutionSummary: { status: 'QUEUED' },
        },
        {
          thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/desk-pi',
          jobExecutionSummary: { status: 'FAILED' },
        },
      ],
    });
    iot.on(DescribeJobExecutionCommand, { jobId: job, thingName: 'desk-pi' }).resolves({
      execution: {
        status: 'FAILED',
        queuedAt: new Date('2026-12-07T00:00:00Z'),
        startedAt: new Date('2026-12-07T00:00:05Z'),
        lastUpdatedAt: new Date('2026-12-07T00:01:00Z'),
        statusDetails: { detailsMap: { reason: 'version 0.2.0 is older than the running 0.3.0' } },
      },
    });
    iot.on(DescribeJobExecutionCommand, { jobId: job, thingName: 'wall-pi' }).resolves({
      execution: { status: 'QUEUED', queuedAt: new Date('2026-12-07T00:00:00Z') },
    });

    const result = await run(['update', '--status']);

    expect(result.code, result.stderr).toBe(0);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        job,
        thing: 'desk-pi',
        status: 'FAILED',
        queuedAt: '2026-12-07T00:00:00.000Z',
        startedAt: '2026-12-07T00:00:05.000Z',
        lastUpdatedAt: '2026-12-07T00:01:00.000Z',
        details: { reason: 'version 0.2.0 is older than the running 0.3.0' },
      },
      { job, thing: 'wall-pi', status: 'QUEUED', queuedAt: '2026-12-07T00:00:00.000Z' },
    ]);
    expect(result.stderr).toMatch(/job .*: IN_PROGRESS, 2 executions; QUEUED waits for the Pi to connect/);
  });

  it('names a job that does not exist', async () => {
    iot.on(DescribeJobCommand).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const result = await run(['update', '--status', 'ec2led-update-nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/there is no job ec2led-update-nope/);
  });
});
