import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { INSTANCE_NOTICE_PATTERN } from '../../infra/constructs/instance-notice-rule.ts';
import { type StackView, viewStack } from './template-view.ts';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
// A synth with cdk-nag takes ~15 s of CPU; on a busy shared machine the wall time can pass 30 s.
const SYNTH_TIMEOUT = 90_000;
const ACCOUNT = '123456789012';
const HOME = 'eu-west-1';
const iotArn = (resource: string) => `arn:\${AWS::Partition}:iot:${HOME}:${ACCOUNT}:${resource}`;

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-home-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function synthStack(context: Record<string, unknown>): Stack {
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: { ...SKIP_BUNDLING, ...context },
  });
  return buildApp(app, {}).home;
}
const synth = (context: Record<string, unknown>): StackView => viewStack(synthStack(context));

let homeStack: Stack;
let home: StackView;

beforeAll(() => {
  homeStack = synthStack({ account: ACCOUNT, regions: `${HOME},us-east-1` });
  home = viewStack(homeStack);
}, SYNTH_TIMEOUT);

describe('home stack: events', () => {
  it('matches every EC2 instance state change and instance notice on the default bus and sends it to the Lambda', () => {
    const rules = home.resources('AWS::Events::Rule');
    expect(rules).toEqual({
      NoticeRule: {
        Description: expect.any(String),
        EventPattern: INSTANCE_NOTICE_PATTERN,
        State: 'ENABLED',
        Targets: [
          {
            Id: 'Target0',
            Arn: '${Publisher/Function.Arn}',
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
            Arn: '${Publisher/Function.Arn}',
            DeadLetterConfig: { Arn: '${UndeliveredEvents/Queue.Arn}' },
            RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 8 },
          },
        ],
      },
    });
  });

  it('runs the Lambda on arm64 and Node.js 24 with its own log group, endpoint and topic prefix', () => {
    const fn = home.resources('AWS::Lambda::Function')['Publisher/Function'];
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: '${Publisher/Role.Arn}',
      LoggingConfig: { LogGroup: '${Publisher/Logs}' },
      Environment: {
        Variables: {
          IOT_DATA_ENDPOINT: '${IotEndpoints/DataEndpoint.endpointAddress}',
          TOPIC_PREFIX: 'ec2led',
        },
      },
    });
    expect(home.resources('AWS::Logs::LogGroup')['Publisher/Logs']).toEqual({ RetentionInDays: 30 });
  });

  it('retries a failed publish twice within 15 minutes, then sends it to the on-failure queue', () => {
    expect(home.resources('AWS::Lambda::EventInvokeConfig')).toEqual({
      'Publisher/Function/EventInvokeConfig': {
        FunctionName: '${Publisher/Function}',
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 900,
        DestinationConfig: { OnFailure: { Destination: '${PublishFailures/Queue.Arn}' } },
      },
    });
  });

  it('keeps both dead-letter queues encrypted, TLS-only and for 14 days', () => {
    const queues = home.resources('AWS::SQS::Queue');
    expect(Object.keys(queues).sort()).toEqual(['PublishFailures/Queue', 'UndeliveredEvents/Queue']);
    for (const queue of Object.values(queues)) {
      expect(queue).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    }
    const policies = home.resources('AWS::SQS::QueuePolicy');
    const undelivered = policies['UndeliveredEvents/Queue/Policy'] as {
      PolicyDocument: { Statement: unknown[] };
    };
    expect(undelivered.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Resource: '${UndeliveredEvents/Queue.Arn}',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: '${UndeliveredEvents/Queue.Arn}',
        Condition: { ArnEquals: { 'aws:SourceArn': '${StateChangeRule.Arn}' } },
      },
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: '${UndeliveredEvents/Queue.Arn}',
        Condition: { ArnEquals: { 'aws:SourceArn': '${NoticeRule.Arn}' } },
      },
    ]);
  });

  it('raises an alarm as soon as either queue holds a message', () => {
    const alarms = home.resources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms).sort()).toEqual([
      'PublishFailures/NotEmpty',
      'Publisher/Errors',
      'UndeliveredEvents/NotEmpty',
    ]);
    for (const [path, alarm] of Object.entries(alarms).filter(([path]) => path.endsWith('/NotEmpty'))) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: `\${${path.replace('NotEmpty', 'Queue')}.QueueName}` }],
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('raises an alarm on the first failed publish, before the retries are exhausted', () => {
    expect(home.resources('AWS::CloudWatch::Alarm')['Publisher/Errors']).toEqual({
      AlarmDescription: expect.stringMatching(/failed to publish.*log group/),
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: '${Publisher/Function}' }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('without alarmEmail, creates no topic, gives alarms no action, and says so in the deploy output', () => {
    expect(home.resources('AWS::SNS::Topic')).toEqual({});
    expect(home.resources('AWS::KMS::Key')).toEqual({});
    for (const alarm of Object.values(home.resources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.AlarmActions).toBeUndefined();
      expect(alarm.OKActions).toBeUndefined();
    }
    expect(home.template.findOutputs('AlarmNotifications').AlarmNotifications?.Value).toMatch(
      /^none: the alarms notify no one\. To be e-mailed on ALARM and OK, deploy with -c alarmEmail=you@example\.com/,
    );
  });
});

describe('home stack with alarmEmail', () => {
  let notified: StackView;
  beforeAll(() => {
    notified = synth({ account: ACCOUNT, regions: HOME, alarmEmail: 'ops@example.com' });
  }, SYNTH_TIMEOUT);

  it('e-mails the address from a topic encrypted with a rotated key that CloudWatch may use', () => {
    expect(notified.resources('AWS::SNS::Topic')).toEqual({
      'AlarmTopic/Topic': { DisplayName: 'ec2led alarms', KmsMasterKeyId: '${AlarmTopic/Key.Arn}' },
    });
    expect(notified.resources('AWS::SNS::Subscription')).toEqual({
      'AlarmTopic/Topic/ops@example.com': {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: '${AlarmTopic/Topic}',
      },
    });
    const key = notified.resources('AWS::KMS::Key')['AlarmTopic/Key'] as {
      EnableKeyRotation: boolean;
      KeyPolicy: { Statement: unknown[] };
    };
    expect(key.EnableKeyRotation).toBe(true);
    expect(key.KeyPolicy.Statement).toContainEqual({
      Sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it("refuses non-TLS publishing and lets only this account and region's alarms publish", () => {
    const policy = notified.resources('AWS::SNS::TopicPolicy')['AlarmTopic/Topic/Policy'] as {
      PolicyDocument: { Statement: unknown[] };
    };
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: '${AlarmTopic/Topic}',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'CloudWatchAlarmsOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: '${AlarmTopic/Topic}',
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:\${AWS::Partition}:cloudwatch:${HOME}:${ACCOUNT}:alarm:*` },
        },
      },
    ]);
  });

  it('makes every alarm notify the topic on ALARM and on OK, and names the address in the output', () => {
    const alarms = notified.resources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(3);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({
        AlarmActions: ['${AlarmTopic/Topic}'],
        OKActions: ['${AlarmTopic/Topic}'],
      });
    }
    expect(notified.template.findOutputs('AlarmNotifications').AlarmNotifications?.Value).toBe(
      'e-mail to ops@example.com (confirm the subscription from the AWS e-mail first)',
    );
  });
});

describe('home stack: IoT endpoints', () => {
  it('looks both endpoints up at deploy time with DescribeEndpoint', () => {
    const lookups = home.resources('Custom::AWS');
    const calls = Object.fromEntries(
      Object.entries(lookups).map(([path, lookup]) => [path, JSON.parse(lookup.Create as string)]),
    );
    expect(calls).toEqual({
      'IotEndpoints/DataEndpoint': {
        service: 'Iot',
        action: 'describeEndpoint',
        parameters: { endpointType: 'iot:Data-ATS' },
        physicalResourceId: { responsePath: 'endpointAddress' },
      },
      'IotEndpoints/CredentialsEndpoint': {
        service: 'Iot',
        action: 'describeEndpoint',
        parameters: { endpointType: 'iot:CredentialProvider' },
        physicalResourceId: { responsePath: 'endpointAddress' },
      },
    });
    for (const lookup of Object.values(lookups)) expect(lookup.InstallLatestAwsSdk).toBe(false);
  });
});

describe('home stack: least privilege', () => {
  it('gives every role exactly the actions and resources it needs', () => {
    const lambdaTrust = [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ];
    expect(home.roles()).toEqual({
      'Publisher/Role': {
        trust: lambdaTrust,
        statements: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '${Publisher/Logs.Arn}' },
          { Action: 'iot:Publish', Resource: iotArn('topic/ec2led/v1/*') },
          {
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Resource: '${PublishFailures/Queue.Arn}',
          },
        ],
      },
      'IotEndpoints/LookupRole': {
        trust: lambdaTrust,
        statements: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '${IotEndpoints/LookupLogs.Arn}',
          },
          { Action: 'iot:DescribeEndpoint', Resource: '*' },
        ],
      },
      'DeviceAccess/Role': {
        trust: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'credentials.iot.amazonaws.com' },
          },
        ],
        statements: [
          {
            Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:RequestedRegion': [HOME, 'us-east-1'] } },
          },
        ],
      },
      'Updates/DownloadRole': {
        trust: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'iot.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
        statements: [{ Action: 's3:GetObject', Resource: '${Updates/Bucket.Arn}/packages/*' }],
      },
    });
  });

  it('lets a device connect only as its own attached thing, subscribe, receive, use its own settings shadow and jobs, and get credentials', () => {
    const shadow = (kind: string, op: string) =>
      iotArn(`${kind}/$aws/things/\${iot:Connection.Thing.ThingName}/shadow/name/ec2led-settings/${op}`);
    const responses = ['get/accepted', 'get/rejected', 'update/accepted', 'update/rejected', 'update/delta'];
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'];
    expect(policy).toEqual({
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: iotArn('client/${iot:Connection.Thing.ThingName}'),
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: iotArn('topicfilter/ec2led/v1/*') },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: iotArn('topic/ec2led/v1/*') },
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: [shadow('topic', 'get'), shadow('topic', 'update')],
          },
          {
            Effect: 'Allow',
            Action: 'iot:Subscribe',
            Resource: responses.map((op) => shadow('topicfilter', op)),
          },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: responses.map((op) => shadow('topic', op)) },
          // Its jobs topics, for updates by job (test/infra/update-packages.test.ts holds them exactly).
          { Effect: 'Allow', Action: 'iot:Publish', Resource: expect.any(Array) },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: expect.any(Array) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: expect.any(Array) },
          {
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: iotArn('rolealias/${DeviceAccess/RoleAlias}'),
          },
        ],
      },
    });
  });

  it('grants no wildcard on shadow topics: no other thing, no other shadow, no delete', () => {
    const policy = home.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: { Resource: string | string[] }[] };
    };
    const resources = policy.PolicyDocument.Statement.flatMap((s) => [s.Resource].flat());
    const shadowArns = resources.filter((r) => r.includes('$aws') && r.includes('/shadow/'));
    expect(shadowArns).toHaveLength(12);
    for (const arn of shadowArns) {
      expect(arn).toMatch(
        /\$aws\/things\/\$\{iot:Connection\.Thing\.ThingName\}\/shadow\/name\/ec2led-settings\/(get|update)(\/(accepted|rejected|delta))?$/,
      );
      expect(arn).not.toMatch(/[*+#]/);
    }
  });

  it('hands out device credentials for one hour through the role alias', () => {
    expect(home.resources('AWS::IoT::RoleAlias')).toEqual({
      'DeviceAccess/RoleAlias': { RoleArn: '${DeviceAccess/Role.Arn}', CredentialDurationSeconds: 3600 },
    });
    expect(home.resources('AWS::IAM::Role')['DeviceAccess/Role']).toMatchObject({ MaxSessionDuration: 3600 });
  });
});

describe('home stack: outputs', () => {
  it('outputs what `ec2led device create` reads, under the keys the CLI expects, without exports', () => {
    const outputs = home.show(home.template.findOutputs('*'));
    expect(outputs).toEqual({
      IotDataEndpoint: {
        Description: expect.any(String),
        Value: '${IotEndpoints/DataEndpoint.endpointAddress}',
      },
      IotCredentialsEndpoint: {
        Description: expect.any(String),
        Value: '${IotEndpoints/CredentialsEndpoint.endpointAddress}',
      },
      DevicePolicyName: { Description: expect.any(String), Value: '${DeviceAccess/Policy}' },
      DeviceRoleAlias: { Description: expect.any(String), Value: '${DeviceAccess/RoleAlias}' },
      TopicPrefix: { Description: expect.any(String), Value: 'ec2led' },
      Regions: { Description: expect.any(String), Value: `${HOME},us-east-1` },
      AlarmNotifications: { Description: expect.any(String), Value: expect.stringMatching(/^none: /) },
      // For member stacks (-c deviceRoleArn=...), docs/accounts.md.
      DeviceRoleArn: { Description: expect.any(String), Value: '${DeviceAccess/Role.Arn}' },
      // For ec2led device update (test/infra/update-packages.test.ts).
      UpdateBucketName: { Description: expect.any(String), Value: '${Updates/Bucket}' },
      UpdateDownloadRoleArn: { Description: expect.any(String), Value: '${Updates/DownloadRole.Arn}' },
    });
  });
});

describe('home stack with endpoints and topic prefix from context', () => {
  let given: StackView;
  beforeAll(() => {
    given = synth({
      account: ACCOUNT,
      regions: [HOME],
      topicPrefix: 'lab',
      iotDataEndpoint: 'abc123-ats.iot.eu-west-1.amazonaws.com',
      iotCredentialsEndpoint: 'def456.credentials.iot.eu-west-1.amazonaws.com',
    });
  }, SYNTH_TIMEOUT);

  it('uses the given endpoints and creates no lookup', () => {
    expect(given.resources('Custom::AWS')).toEqual({});
    expect(Object.keys(given.roles()).sort()).toEqual([
      'DeviceAccess/Role',
      'Publisher/Role',
      'Updates/DownloadRole',
    ]);
    expect(given.resources('AWS::Lambda::Function')['Publisher/Function']?.Environment).toEqual({
      Variables: { IOT_DATA_ENDPOINT: 'abc123-ats.iot.eu-west-1.amazonaws.com', TOPIC_PREFIX: 'lab' },
    });
    const outputs = given.template.findOutputs('*');
    expect(outputs.IotCredentialsEndpoint?.Value).toBe('def456.credentials.iot.eu-west-1.amazonaws.com');
    expect(outputs.TopicPrefix?.Value).toBe('lab');
  });

  it('scopes the Lambda and the device policy to the given prefix', () => {
    expect(given.roles()['Publisher/Role']?.statements).toContainEqual({
      Action: 'iot:Publish',
      Resource: iotArn('topic/lab/v1/*'),
    });
    const policy = given.resources('AWS::IoT::Policy')['DeviceAccess/Policy'] as {
      PolicyDocument: { Statement: { Resource: string }[] };
    };
    expect(policy.PolicyDocument.Statement.map((statement) => statement.Resource)).toContain(
      iotArn('topicfilter/lab/v1/*'),
    );
  });
});

describe('home stack without account or region', () => {
  it('stays environment-agnostic: the device may list instances in the deploy region only', () => {
    const agnostic = synth({});
    expect(agnostic.roles()['DeviceAccess/Role']?.statements).toEqual([
      {
        Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': ['${AWS::Region}'] } },
      },
    ]);
    expect(agnostic.template.findOutputs('Regions').Regions?.Value).toEqual({ Ref: 'AWS::Region' });
  });
});

function acknowledgedIn(stack: Stack): Record<string, string[]> {
  const acknowledged: Record<string, string[]> = {};
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const rules = entry.data as Record<string, string>;
      for (const reason of Object.values(rules)) expect(reason.length).toBeGreaterThan(60);
      acknowledged[construct.node.path] = Object.keys(rules).map((id) => id.replace(/^annotation::/i, ''));
    }
  }
  return acknowledged;
}

describe('cdk-nag', () => {
  it(
    'passes the alarm topic and its key without any new acknowledgement',
    () => {
      const notified = synthStack({
        account: ACCOUNT,
        regions: `${HOME},us-east-1`,
        alarmEmail: 'ops@example.com',
      });
      expect(() => viewStack(notified)).not.toThrow();
      expect(acknowledgedIn(notified)).toEqual(acknowledgedIn(homeStack));
    },
    SYNTH_TIMEOUT,
  );

  it('acknowledges exactly these findings, each on the construct it is about, with a reason', () => {
    const acknowledged = acknowledgedIn(homeStack);
    expect(acknowledged).toEqual({
      'Ec2Led/IotEndpoints/LookupRole': ['AwsSolutions-IAM5[Resource::*]'],
      'Ec2Led/PublishFailures/Queue': ['AwsSolutions-SQS3'],
      'Ec2Led/Publisher/Role': [
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:eu-west-1:123456789012:topic/ec2led/v1/*]',
      ],
      'Ec2Led/UndeliveredEvents/Queue': ['AwsSolutions-SQS3'],
      'Ec2Led/DeviceAccess/Role': ['AwsSolutions-IAM5[Resource::*]'],
      'Ec2Led/Updates/Bucket': ['AwsSolutions-S1'],
      'Ec2Led/Updates/DownloadRole': ['AwsSolutions-IAM5[Resource::<UpdatesBucket70A9D26E.Arn>/packages/*]'],
    });
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const app = new App({ outdir: mkdtempSync(join(scratch, 'probe-')), context: SKIP_BUNDLING });
    const stack = new Stack(app, 'Probe');
    new iam.Role(stack, 'Wide', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => viewStack(stack)).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });
});
