/**
 * Deploy routing (context deployPrefix): the two rules on the home and forwarder buses, the deploy
 * topics the Lambda may publish and the device may read, the device role's least-privilege reads,
 * cdk-nag clean with one acknowledgement per wildcard, and nothing of it when no deploy is selected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import type { ForwarderStack } from '../../infra/forwarder-stack.ts';
import { SettingsError } from '../../infra/settings.ts';
import { type StackView, viewStack } from './template-view.ts';

const ACCOUNT = '123456789012';
const HOME = 'eu-west-1';
const HOME_BUS = `arn:\${AWS::Partition}:events:${HOME}:${ACCOUNT}:event-bus/default`;
const iotArn = (resource: string) => `arn:\${AWS::Partition}:iot:${HOME}:${ACCOUNT}:${resource}`;
const PIPELINE_PATTERN = {
  source: ['aws.codepipeline'],
  'detail-type': ['CodePipeline Pipeline Execution State Change'],
  detail: { pipeline: [{ prefix: 'shop-' }, { prefix: 'api-' }] },
};
const SERVICE_PATTERN = {
  source: ['aws.ecs'],
  'detail-type': ['ECS Deployment State Change'],
  resources: [{ wildcard: 'arn:*:ecs:*:*:service/*/shop-*' }, { wildcard: 'arn:*:ecs:*:*:service/*/api-*' }],
};

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-deploys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function build(context: Record<string, unknown>): Ec2LedApp {
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: { 'aws:cdk:bundling-stacks': [], account: ACCOUNT, regions: `${HOME},us-east-1`, ...context },
  });
  return buildApp(app, {});
}

function acknowledgedIn(stack: Stack): Record<string, string[]> {
  const acknowledged: Record<string, string[]> = {};
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const ids = Object.keys(entry.data as Record<string, string>).map((id) =>
        id.replace(/^annotation::/i, ''),
      );
      acknowledged[construct.node.path] = [...(acknowledged[construct.node.path] ?? []), ...ids];
    }
  }
  return acknowledged;
}

let selected: Ec2LedApp;
let home: StackView;
let forwarder: StackView;
let plain: Ec2LedApp;

beforeAll(() => {
  selected = build({ deployPrefix: 'shop-,api-' });
  home = viewStack(selected.home);
  forwarder = viewStack(selected.forwarders[0] as ForwarderStack);
  plain = build({});
}, 120_000);

describe('deploy routing: home stack', () => {
  it('sends the selected pipeline and ECS deployment changes to the Lambda, retried and dead-lettered', () => {
    const rules = home.resources('AWS::Events::Rule');
    const target = {
      Id: 'Target0',
      Arn: '${Publisher/Function.Arn}',
      DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
      RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
    };
    expect(rules.DeployStateChangeRulePipelines).toEqual({
      Description: expect.any(String),
      EventPattern: PIPELINE_PATTERN,
      State: 'ENABLED',
      Targets: [target],
    });
    expect(rules.DeployStateChangeRuleServices).toEqual({
      Description: expect.any(String),
      EventPattern: SERVICE_PATTERN,
      State: 'ENABLED',
      Targets: [target],
    });
  });

  it('lets the Lambda publish to the deploy topics as well as the instance topics', () => {
    const publishes = home
      .roles()
      ['Publisher/Role']?.statements.filter((statement) => statement.Action === 'iot:Publish')
      .map((statement) => statement.Resource);
    expect(publishes).toEqual([iotArn('topic/ec2led/v1/*'), iotArn('topic/ec2led/deploy/v1/*')]);
  });

  it('gives the device role only the four reads, the per-item ones on the selected names, in the watched regions', () => {
    const regions = { StringEquals: { 'aws:RequestedRegion': [HOME, 'us-east-1'] } };
    const arn = (service: string, resource: string) =>
      `arn:\${AWS::Partition}:${service}:*:${ACCOUNT}:${resource}`;
    expect(home.roles()['DeviceAccess/Role']?.statements).toEqual([
      { Action: ['codepipeline:ListPipelines', 'ecs:ListServices'], Resource: '*', Condition: regions },
      {
        Action: 'codepipeline:ListPipelineExecutions',
        Resource: [arn('codepipeline', 'shop-*'), arn('codepipeline', 'api-*')],
        Condition: regions,
      },
      {
        Action: 'ecs:DescribeServices',
        Resource: [arn('ecs', 'service/*/shop-*'), arn('ecs', 'service/*/api-*')],
        Condition: regions,
      },
      { Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], Resource: '*', Condition: regions },
    ]);
  });

  it('lets the device subscribe to and receive the deploy topics', () => {
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: Array<{ Action: string; Resource: unknown }> };
    };
    const grants = policy.PolicyDocument.Statement.filter(
      (s) => /Subscribe|Receive/.test(s.Action) && !JSON.stringify(s.Resource).includes('$aws/things/'),
    ).map((s) => [s.Action, s.Resource]);
    expect(grants).toEqual([
      ['iot:Subscribe', iotArn('topicfilter/ec2led/v1/*')],
      ['iot:Receive', iotArn('topic/ec2led/v1/*')],
      ['iot:Subscribe', iotArn('topicfilter/ec2led/deploy/v1/*')],
      ['iot:Receive', iotArn('topic/ec2led/deploy/v1/*')],
    ]);
  });

  it('passes cdk-nag, acknowledging exactly the deploy wildcards', () => {
    const before = acknowledgedIn(plain.home);
    const after = acknowledgedIn(selected.home);
    const nagArn = (service: string, resource: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${service}:*:${ACCOUNT}:${resource}]`;
    expect(after).toEqual({
      ...before,
      'Ec2Led/Publisher/Role': [
        ...(before['Ec2Led/Publisher/Role'] ?? []),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:eu-west-1:123456789012:topic/ec2led/deploy/v1/*]',
      ],
      'Ec2Led/DeviceAccess/Role': [
        ...(before['Ec2Led/DeviceAccess/Role'] ?? []),
        nagArn('codepipeline', 'shop-*'),
        nagArn('ecs', 'service/*/shop-*'),
        nagArn('codepipeline', 'api-*'),
        nagArn('ecs', 'service/*/api-*'),
      ],
    });
  });
});

describe('deploy routing: forwarders and selection', () => {
  it("forward the selected deploy changes to the home region's default bus, retried and dead-lettered", () => {
    const rules = forwarder.resources('AWS::Events::Rule');
    for (const [name, pattern] of [
      ['DeployStateChangeRulePipelines', PIPELINE_PATTERN],
      ['DeployStateChangeRuleServices', SERVICE_PATTERN],
    ] as const) {
      expect(rules[name]).toEqual({
        Description: expect.any(String),
        EventPattern: pattern,
        State: 'ENABLED',
        Targets: [
          {
            Id: 'Target0',
            Arn: HOME_BUS,
            RoleArn: `\${${name}/EventsRole.Arn}`,
            DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
            RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
          },
        ],
      });
    }
  });

  it('adds no rule, no CodePipeline or ECS permission and no deploy topic when no deploy is selected', () => {
    for (const stack of [plain.home, ...plain.forwarders]) {
      const view = viewStack(stack);
      expect(Object.keys(view.resources('AWS::Events::Rule'))).toEqual(['StateChangeRule', 'NoticeRule']);
      expect(JSON.stringify(view.json)).not.toMatch(/codepipeline|ecs:|deploy\/v1/);
    }
  });

  it('selects every pipeline and service with *, and names a bad prefix with the fix', () => {
    const rules = viewStack(build({ deployPrefix: '*' }).home).resources('AWS::Events::Rule');
    expect(rules.DeployStateChangeRulePipelines?.EventPattern).toEqual({
      source: ['aws.codepipeline'],
      'detail-type': ['CodePipeline Pipeline Execution State Change'],
    });
    expect(() => build({ deployPrefix: 'shop web' })).toThrow(SettingsError);
    expect(() => build({ deployPrefix: 'shop web' })).toThrow(/set it like -c deployPrefix=shop-,api-/);
  }, 60_000);
});
