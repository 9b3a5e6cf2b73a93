/**
 * Many accounts: the home stack with an organization (ingest bus, its org-only policy, the device
 * role's right to assume ec2led-reader) and the member stack, synthesized as a StackSet would use it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import { ingestBusName } from '../../infra/constructs/ingest-bus.ts';
import { INSTANCE_NOTICE_PATTERN } from '../../infra/constructs/instance-notice-rule.ts';
import type { MemberStack } from '../../infra/member-stack.ts';
import { type StackView, viewStack } from './template-view.ts';

const HOME = '111111111111';
const ORG = 'o-a1b2c3d4e5';
const DEVICE_ROLE = `arn:aws:iam::${HOME}:role/Ec2Led-DeviceAccessRole-ABC`;
const INGEST = `arn:\${AWS::Partition}:events:eu-west-1:${HOME}:event-bus/ec2led-ingest`;

let app: Ec2LedApp;
let home: StackView;
let member: StackView;
const outdir = mkdtempSync(join(tmpdir(), 'ec2led-member-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

beforeAll(() => {
  const cdk = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      account: HOME,
      regions: 'eu-west-1,us-east-1',
      organizationId: ORG,
      deviceRoleArn: DEVICE_ROLE,
    },
  });
  app = buildApp(cdk, {});
  home = viewStack(app.home);
  member = viewStack(app.member as MemberStack);
  // cdk-nag runs as a synth validation: synth throws on any finding not acknowledged.
  cdk.synth();
}, 120_000);

describe('home stack with an organization', () => {
  it('admits PutEvents on the ingest bus from the organization only, EC2 state changes and instance notices only', () => {
    const policies = Object.values(home.json.Resources).filter(
      (r) => r.Type === 'AWS::Events::EventBusPolicy',
    );
    expect(policies).toHaveLength(1);
    expect(home.show(policies[0]?.Properties)).toMatchObject({
      EventBusName: '${Ingest/Bus}',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: INGEST,
        // AWS's cross-account example: the multivalued events:source under ForAllValues, so every
        // entry of a PutEvents call must be aws.ec2 or aws.health; detail-type and the organization
        // as StringEquals.
        Condition: {
          'ForAllValues:StringEquals': { 'events:source': ['aws.ec2', 'aws.health'] },
          StringEquals: {
            'aws:PrincipalOrgID': ORG,
            'events:detail-type': [
              'EC2 Instance State-change Notification',
              'EC2 Spot Instance Interruption Warning',
              'EC2 Instance Rebalance Recommendation',
              'AWS Health Event',
            ],
          },
        },
      },
    });
    expect(home.resources('AWS::Events::EventBus')).toEqual({
      'Ingest/Bus': expect.objectContaining({ Name: 'ec2led-ingest' }),
    });
  });

  it('moves the publisher rule to the ingest bus; the home default bus forwards to it', () => {
    const rules = home.resources('AWS::Events::Rule');
    expect(rules.IngestRule).toMatchObject({ EventBusName: '${Ingest/Bus}' });
    expect(JSON.stringify(rules.IngestRule?.Targets)).toContain('Publisher/');
    expect(rules.StateChangeRule).not.toHaveProperty('EventBusName');
    expect(JSON.stringify(rules.StateChangeRule?.Targets)).toContain('${Ingest/Bus.Arn}');
  });

  it('lets the device role assume ec2led-reader in accounts of the organization only', () => {
    const role = home.roles()['DeviceAccess/Role'];
    expect(role?.statements).toContainEqual({
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Resource: 'arn:${AWS::Partition}:iam::*:role/ec2led-reader',
      Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
    });
  });

  it('forwards the other regions to the ingest bus', () => {
    const forwarder = viewStack(app.forwarders[0] as never);
    expect(JSON.stringify(forwarder.resources('AWS::Events::Rule'))).toContain(
      `events:eu-west-1:${HOME}:event-bus/ec2led-ingest`,
    );
  });
});

describe('the ingest bus name', () => {
  it('follows the home stack, so two home stacks in one account and region get two buses; Ec2Led keeps ec2led-ingest', () => {
    expect(ingestBusName('Ec2Led')).toBe('ec2led-ingest');
    expect(ingestBusName('Lab')).toBe('ec2led-ingest-Lab');
    // A stack named like the default bus cannot take the default stack's bus either.
    expect(ingestBusName('ec2led')).toBe('ec2led-ingest-ec2led');
  });

  it('is what the home stack creates and what its forwarders and member stack send to', () => {
    const cdk = new App({
      outdir: mkdtempSync(join(outdir, 'lab-')),
      context: {
        'aws:cdk:bundling-stacks': [],
        account: HOME,
        regions: 'eu-west-1,us-east-1',
        organizationId: ORG,
        deviceRoleArn: DEVICE_ROLE,
        stackName: 'Lab',
      },
    });
    const lab = buildApp(cdk, {});
    const labHome = viewStack(lab.home);
    expect(labHome.resources('AWS::Events::EventBus')).toEqual({
      'Ingest/Bus': expect.objectContaining({ Name: 'ec2led-ingest-Lab' }),
    });
    const arn = `events:eu-west-1:${HOME}:event-bus/ec2led-ingest-Lab`;
    expect(JSON.stringify(labHome.json.Resources)).toContain(arn);
    expect(JSON.stringify(viewStack(lab.forwarders[0] as never).resources('AWS::Events::Rule'))).toContain(
      arn,
    );
    expect(JSON.stringify(viewStack(lab.member as MemberStack).resources('AWS::Events::Rule'))).toContain(
      arn,
    );
  });
});

describe('member stack', () => {
  it('makes ec2led-reader in the home region only, trusting the device role within the organization', () => {
    const roles = member.json.Resources;
    const reader = Object.values(roles).find(
      (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === 'ec2led-reader',
    ) as { Condition?: string; Properties: Record<string, unknown> };
    expect(reader.Condition).toBe('InHomeRegion');
    expect(member.template.toJSON().Conditions.InHomeRegion).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'],
    });
    expect(member.roles()['Reader/Role']).toEqual({
      trust: [
        {
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
          Effect: 'Allow',
          Principal: { AWS: DEVICE_ROLE },
        },
        {
          Action: 'sts:SetSourceIdentity',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
          Effect: 'Allow',
          Principal: { AWS: DEVICE_ROLE },
        },
      ],
      statements: [
        {
          Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
        },
      ],
    });
  });

  it('sends EC2 state changes and instance notices straight to the home ingest bus through roles allowed that one ARN', () => {
    const rules = member.resources('AWS::Events::Rule');
    expect(Object.keys(rules).sort()).toEqual(['NoticeRule', 'StateChangeRule']);
    expect(rules.StateChangeRule).toMatchObject({
      EventPattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
      Targets: [expect.objectContaining({ Arn: INGEST, DeadLetterConfig: expect.anything() })],
    });
    expect(rules.NoticeRule).toMatchObject({
      EventPattern: INSTANCE_NOTICE_PATTERN,
      Targets: [expect.objectContaining({ Arn: INGEST, DeadLetterConfig: expect.anything() })],
    });
    const eventsRoles = Object.values(member.roles()).filter((r) =>
      JSON.stringify(r.trust).includes('events.amazonaws.com'),
    );
    expect(eventsRoles.map((r) => r.statements)).toEqual([
      [{ Action: 'events:PutEvents', Resource: INGEST }],
      [{ Action: 'events:PutEvents', Resource: INGEST }],
    ]);
    expect(Object.keys(member.resources('AWS::CloudWatch::Alarm'))).toHaveLength(1);
  });

  it('is StackSet-ready: env-agnostic, no assets, no bootstrap parameter', () => {
    const stack = app.member as MemberStack;
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    const template = member.template.toJSON();
    expect(template.Parameters ?? {}).toEqual({});
    expect(template.Rules ?? {}).toEqual({});
    const assets = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
      dockerImages?: Record<string, unknown>;
    };
    // The only file asset is the template itself.
    expect(Object.values(assets.files).map((f) => f.source.path)).toEqual([
      `${stack.artifactId}.template.json`,
    ]);
    expect(assets.dockerImages ?? {}).toEqual({});
  });
});
