import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../infra/app.ts';

// An App without an outdir makes its own cdk.outXXXX in the temp folder: give it one we remove.
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-app-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

afterEach(() => {
  process.exitCode = undefined;
});

describe('the CDK app entry point', () => {
  it.each([
    ['regions', 'eu-west-9', /^ec2led: context regions: eu-west-9 is not an AWS region this app knows/],
    ['regions', 'mx-central-1', /^ec2led: context regions: mx-central-1 cannot be the home region/],
    ['alarmEmail', 'ops', /^ec2led: context alarmEmail is "ops", expected one e-mail address/],
    [
      'account',
      '42',
      /^ec2led: context account is "42", expected 12 digits; fix context account or CDK_DEFAULT_ACCOUNT\n$/,
    ],
  ])('turns a bad %s (%j) into one stderr line and exit code 1, synthesizing nothing', (key, value, line) => {
    const written: string[] = [];
    const app = new App({ outdir: mkdtempSync(join(scratch, 'out-')), context: { [key]: value } });
    main(app, (text) => written.push(text));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(line);
    expect(written[0]?.endsWith('\n')).toBe(true);
    expect(written[0]?.split('\n')).toHaveLength(2);
    expect(process.exitCode).toBe(1);
    expect(app.node.children).toEqual([]);
  });

  it('ends a synth that passed cdk-nag with that news and the bootstrap command for every region, us-east-1 for checks included', () => {
    const written: string[] = [];
    const app = new App({
      outdir: mkdtempSync(join(scratch, 'out-')),
      context: {
        'aws:cdk:bundling-stacks': [],
        account: '123456789012',
        regions: 'eu-west-1,ap-south-1',
        checks: 'tcp://db.example.com:5432',
      },
    });
    main(app, (text) => written.push(text));
    expect(process.exitCode).toBeUndefined();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(
      /^ec2led: cdk-nag AwsSolutions passed: no unacknowledged finding in Ec2Led, Ec2Led-forwarder-ap-south-1, Ec2Led-checks .*templates in .*Ec2Led.template.json, Ec2Led-forwarder-ap-south-1.template.json, Ec2Led-checks.template.json\n$/,
    );
    expect(written[1]).toBe(
      'ec2led: bootstrap once per account and region before the first deploy: npx cdk bootstrap ' +
        'aws://123456789012/eu-west-1 aws://123456789012/ap-south-1 aws://123456789012/us-east-1\n',
    );
  }, 120_000);

  it('says nothing of a pass when cdk-nag finds something unacknowledged: synth throws its report', () => {
    const written: string[] = [];
    const app = new App({
      outdir: mkdtempSync(join(scratch, 'out-')),
      context: { 'aws:cdk:bundling-stacks': [], account: '123456789012', regions: 'eu-west-1' },
    });
    // A queue without enforceSSL: AwsSolutions-SQS4, acknowledged nowhere.
    new sqs.Queue(
      new Stack(app, 'Extra', { env: { account: '123456789012', region: 'eu-west-1' } }),
      'Plain',
    );
    expect(() => main(app, (text) => written.push(text))).toThrow(/AwsSolutions-SQS4/);
    expect(written).toEqual([]);
  }, 120_000);
});
