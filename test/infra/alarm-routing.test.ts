import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import type { ForwarderStack } from '../../infra/forwarder-stack.ts';
import { type StackView, viewStack } from './template-view.ts';

const ACCOUNT = '123456789012';
const HOME = 'eu-west-1';
const HOME_BUS = `arn:\${AWS::Partition}:events:${HOME}:${ACCOUNT}:event-bus/default`;
const iotArn = (resource: string) => `arn:\${AWS::Partition}:iot:${HOME}:${ACCOUNT}:${resource}`;
const ALARM_PATTERN = {
  source: ['aws.cloudwatch'],
  'detail-type': ['CloudWatch Alarm State Change'],
  detail: {
    alarmName: [{ prefix: 'prod-' }, { prefix: 'web-' }],
    alarmTags: { board: ['desk'] },
  },
};

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-alarms-'));
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
      const rules = entry.data as Record<string, string>;
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(60);
      const ids = Object.keys(rules).map((id) => id.replace(/^annotation::/i, ''));
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
  selected = build({ alarmPrefix: 'prod-,web-', alarmTag: 'board=desk' });
  home = viewStack(selected.home);
  forwarder = viewStack(selected.forwarders[0] as ForwarderStack);
  plain = build({});
}, 120_000);

describe('alarm routing: home stack', () => {
  it('sends the selected alarm state changes to the same Lambda, retried and dead-lettered like EC2 changes', () => {
    const rules = home.resources('AWS::Events::Rule');
    expect(rules.AlarmStateChangeRule).toEqual({
      Description: expect.any(String),
      EventPattern: ALARM_PATTERN,
      State: 'ENABLED',
      Targets: [
        {
          Id: 'Target0',
          Arn: '${Publisher/Function.Arn}',
          DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
          RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
        },
      ],
    });
  });

  it('lets the Lambda publish to the alarm topics as well as the instance topics', () => {
    const publishes = home
      .roles()
      ['Publisher/Role']?.statements.filter((statement) => statement.Action === 'iot:Publish')
      .map((statement) => statement.Resource);
    expect(publishes).toEqual([iotArn('topic/ec2led/v1/*'), iotArn('topic/ec2led/alarm/v1/*')]);
  });

  it('gives the device role cloudwatch:DescribeAlarms in the watched regions, and nothing else new', () => {
    const statements = home.roles()['DeviceAccess/Role']?.statements;
    expect(statements).toEqual([
      {
        Action: 'cloudwatch:DescribeAlarms',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': [HOME, 'us-east-1'] } },
      },
      {
        Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': [HOME, 'us-east-1'] } },
      },
    ]);
  });

  it('lets the device subscribe to and receive the alarm topics', () => {
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: Array<{ Action: string; Resource: unknown }> };
    };
    // The settings shadow's own grants (home-stack.test.ts) are not topic trees.
    const grants = policy.PolicyDocument.Statement.filter(
      (s) => /Subscribe|Receive/.test(s.Action) && !JSON.stringify(s.Resource).includes('$aws/things/'),
    ).map((s) => [s.Action, s.Resource]);
    expect(grants).toEqual([
      ['iot:Subscribe', iotArn('topicfilter/ec2led/v1/*')],
      ['iot:Receive', iotArn('topic/ec2led/v1/*')],
      ['iot:Subscribe', iotArn('topicfilter/ec2led/alarm/v1/*')],
      ['iot:Receive', iotArn('topic/ec2led/alarm/v1/*')],
    ]);
  });

  it('passes cdk-nag with one new acknowledgement, for the alarm topics, with its reason', () => {
    const before = acknowledgedIn(plain.home);
    const after = acknowledgedIn(selected.home);
    expect(after).toEqual({
      ...before,
      'Ec2Led/Publisher/Role': [
        ...(before['Ec2Led/Publisher/Role'] ?? []),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:eu-west-1:123456789012:topic/ec2led/alarm/v1/*]',
      ],
    });
    const reason = selected.home.node
      .findChild('DeviceAccess')
      .node.findChild('Role')
      .node.metadata.map((entry) => JSON.stringify(entry.data))
      .join('');
    expect(reason).toContain('cloudwatch:DescribeAlarms');
  });
});

describe('alarm routing: forwarder stacks', () => {
  it("forward the selected alarm state changes to the home region's default bus, retried and dead-lettered", () => {
    expect(forwarder.resources('AWS::Events::Rule').AlarmStateChangeRule).toEqual({
      Description: expect.any(String),
      EventPattern: ALARM_PATTERN,
      State: 'ENABLED',
      Targets: [
        {
          Id: 'Target0',
          Arn: HOME_BUS,
          RoleArn: '${AlarmStateChangeRule/EventsRole.Arn}',
          DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
          RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
        },
      ],
    });
    expect(forwarder.roles()['AlarmStateChangeRule/EventsRole']?.statements).toEqual([
      { Action: 'events:PutEvents', Resource: HOME_BUS },
    ]);
  });
});

describe('alarm routing: selection', () => {
  it('adds no rule, no CloudWatch permission and no alarm topic when no alarm is selected', () => {
    for (const stack of [plain.home, ...plain.forwarders]) {
      const view = viewStack(stack);
      expect(Object.keys(view.resources('AWS::Events::Rule')).sort()).toEqual([
        'NoticeRule',
        'StateChangeRule',
      ]);
      expect(JSON.stringify(view.json)).not.toMatch(/cloudwatch:DescribeAlarms|alarm\/v1/);
    }
  });

  it('selects by tag alone, any value, when alarmTag has no value', () => {
    const rule = viewStack(build({ alarmTag: 'ec2led' }).home).resources('AWS::Events::Rule')
      .AlarmStateChangeRule as { EventPattern: { detail: unknown } };
    expect(rule.EventPattern.detail).toEqual({ alarmTags: { ec2led: [{ exists: true }] } });
  }, 60_000);
});
