import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import { INSTANCE_NOTICE_PATTERN } from '../../infra/constructs/instance-notice-rule.ts';
import type { ForwarderStack } from '../../infra/forwarder-stack.ts';
import { type StackView, viewStack } from './template-view.ts';

const ACCOUNT = '123456789012';
const HOME_BUS = `arn:\${AWS::Partition}:events:eu-west-1:${ACCOUNT}:event-bus/default`;

let app: Ec2LedApp;
let forwarder: StackView;

const outdir = mkdtempSync(join(tmpdir(), 'ec2led-forwarder-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

beforeAll(() => {
  const cdk = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      account: ACCOUNT,
      regions: 'eu-west-1, us-east-1, ap-southeast-2',
    },
  });
  app = buildApp(cdk, {});
  forwarder = viewStack(app.forwarders[0] as ForwarderStack);
}, 90_000);

function acknowledgedIn(stack: ForwarderStack): Record<string, string[]> {
  const acknowledged: Record<string, string[]> = {};
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const ids = Object.keys(entry.data as Record<string, string>);
      acknowledged[construct.node.path] = ids.map((id) => id.replace(/^annotation::/i, ''));
    }
  }
  return acknowledged;
}

describe('forwarder stacks', () => {
  it('adds one stack per extra region, deployed after the home stack', () => {
    expect(app.home.region).toBe('eu-west-1');
    expect(app.forwarders.map((stack) => [stack.stackName, stack.region, stack.account])).toEqual([
      ['Ec2Led-forwarder-us-east-1', 'us-east-1', ACCOUNT],
      ['Ec2Led-forwarder-ap-southeast-2', 'ap-southeast-2', ACCOUNT],
    ]);
    for (const stack of app.forwarders) expect(stack.dependencies).toEqual([app.home]);
  });

  it("sends every EC2 state change and instance notice to the home region's default bus, retried like the home target, with a dead-letter queue", () => {
    expect(forwarder.resources('AWS::Events::Rule')).toEqual({
      NoticeRule: {
        Description: expect.any(String),
        EventPattern: INSTANCE_NOTICE_PATTERN,
        State: 'ENABLED',
        Targets: [
          {
            Id: 'Target0',
            Arn: HOME_BUS,
            RoleArn: '${NoticeRule/EventsRole.Arn}',
            DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
            RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
          },
        ],
      },
      StateChangeRule: {
        Description: expect.any(String),
        EventPattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
        State: 'ENABLED',
        Targets: [
          {
            Id: 'Target0',
            Arn: HOME_BUS,
            RoleArn: '${StateChangeRule/EventsRole.Arn}',
            DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
            RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
          },
        ],
      },
    });
  });

  it('retries the hand-off to the home bus exactly as the home rule retries the hand-off to the Lambda', () => {
    const retryOf = (view: StackView) =>
      (view.resources('AWS::Events::Rule').StateChangeRule as { Targets: { RetryPolicy: unknown }[] })
        .Targets[0]?.RetryPolicy;
    expect(retryOf(forwarder)).toEqual(retryOf(viewStack(app.home)));
  });

  it('lets EventBridge put events on the home bus and nothing else', () => {
    expect(forwarder.roles()).toEqual({
      'NoticeRule/EventsRole': {
        trust: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
        ],
        statements: [{ Action: 'events:PutEvents', Resource: HOME_BUS }],
      },
      'StateChangeRule/EventsRole': {
        trust: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
        ],
        statements: [{ Action: 'events:PutEvents', Resource: HOME_BUS }],
      },
    });
  });

  it('keeps its dead-letter queue encrypted and TLS-only, with an alarm when it holds a message', () => {
    expect(forwarder.resources('AWS::SQS::Queue')).toEqual({
      'UndeliveredEvents/Queue': { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 },
    });
    const policy = forwarder.resources('AWS::SQS::QueuePolicy')['UndeliveredEvents/Queue/Policy'] as {
      PolicyDocument: { Statement: unknown[] };
    };
    expect(policy.PolicyDocument.Statement).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: '${UndeliveredEvents/Queue.Arn}',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(forwarder.resources('AWS::CloudWatch::Alarm')['UndeliveredEvents/NotEmpty']).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: '${UndeliveredEvents/Queue.QueueName}' }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('notifies the alarm e-mail from its own region when alarmEmail is set, without new acknowledgements', () => {
    const cdk = new App({
      outdir,
      context: {
        'aws:cdk:bundling-stacks': [],
        account: ACCOUNT,
        regions: 'eu-west-1,us-east-1',
        alarmEmail: 'ops@example.com',
      },
    });
    const notified = buildApp(cdk, {}).forwarders[0] as ForwarderStack;
    const view = viewStack(notified);
    expect(Object.keys(view.resources('AWS::SNS::Topic'))).toEqual(['AlarmTopic/Topic']);
    expect(view.resources('AWS::SNS::Subscription')['AlarmTopic/Topic/ops@example.com']).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(view.resources('AWS::CloudWatch::Alarm')['UndeliveredEvents/NotEmpty']).toMatchObject({
      AlarmActions: ['${AlarmTopic/Topic}'],
      OKActions: ['${AlarmTopic/Topic}'],
    });
    const policy = view.resources('AWS::SNS::TopicPolicy')['AlarmTopic/Topic/Policy'] as {
      PolicyDocument: { Statement: { Condition?: unknown }[] };
    };
    expect(policy.PolicyDocument.Statement[1]?.Condition).toEqual({
      ArnLike: { 'aws:SourceArn': `arn:\${AWS::Partition}:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` },
    });
    expect(acknowledgedIn(notified)).toEqual({
      'Ec2Led-forwarder-us-east-1/UndeliveredEvents/Queue': ['AwsSolutions-SQS3'],
    });
  }, 90_000);

  it('holds no Lambda, no IoT resource and no device access', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::IoT::Policy', 'AWS::IoT::RoleAlias', 'Custom::AWS']) {
      expect(forwarder.resources(type)).toEqual({});
    }
  });

  it('acknowledges only that its dead-letter queue is one', () => {
    expect(acknowledgedIn(app.forwarders[0] as ForwarderStack)).toEqual({
      'Ec2Led-forwarder-us-east-1/UndeliveredEvents/Queue': ['AwsSolutions-SQS3'],
    });
  });

  it('lets the home device role list instances in every region the forwarders watch', () => {
    const device = viewStack(app.home).roles()['DeviceAccess/Role'];
    expect(device?.statements[0]?.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1', 'ap-southeast-2'] },
    });
  });
});
