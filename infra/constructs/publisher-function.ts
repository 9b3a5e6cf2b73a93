/**
 * The Lambda of lambda/handler.ts: arm64, Node.js 24, its own log group, and a role allowed only to
 * write that log group, `iot:Publish` on the instance topics, and send to the on-failure queue.
 *
 * Bundling: the asset is built by `lambdaBuildOptions` from scripts/lambda-bundle.ts, the same esbuild
 * call as `npm run build` and the bundle-budget test, so what the budget test measures is what is
 * deployed. A NodejsFunction would need the same settings restated as esbuildArgs (alias, banner,
 * legal comments, main fields) and they would drift apart. The build runs in-process with the local
 * esbuild: never Docker, never the network. Tests skip it with context `aws:cdk:bundling-stacks: []`.
 */
import { join } from 'node:path';
import { AssetHashType, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { LAMBDA_TARGET, lambdaBuildOptions, ROOT } from '../../scripts/lambda-bundle.ts';
import { alarmTopicsArn, checkTopicPrefix, deployTopicsArn, instanceTopicsArn } from '../../shared/topics.ts';

export interface PublisherFunctionProps {
  /** The account's `iot:Data-ATS` endpoint (may be a deploy-time token). */
  readonly iotDataEndpoint: string;
  readonly topicPrefix: string;
  /** Where an event goes after Lambda's async retries are exhausted. */
  readonly onFailure: sqs.IQueue;
  /** True when alarms are selected: the function may publish to the alarm topics too. */
  readonly publishesAlarms?: boolean;
  /** True when deploys are selected: the function may publish to the deploy topics too. */
  readonly publishesDeploys?: boolean;
}

const RUNTIME = lambda.Runtime.NODEJS_24_X;
/** Lambda's own retries of a failed publish, after 1 minute and then 2 more (the maximum is 2). */
export const PUBLISH_RETRY_ATTEMPTS = 2;
/**
 * An event older than this goes to the on-failure queue instead of being retried: the device relists
 * every 15 minutes and after each reconnect, so by then a listing has superseded it.
 */
export const PUBLISH_MAX_EVENT_AGE = Duration.minutes(15);

export class PublisherFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Any failed invocation (a publish IoT Core refused, a crash), before Lambda's retries. */
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PublisherFunctionProps) {
    super(scope, id);
    checkTopicPrefix(props.topicPrefix);
    if (!Token.isUnresolved(props.iotDataEndpoint) && !/^[a-z0-9.-]+$/.test(props.iotDataEndpoint)) {
      throw new Error(
        `PublisherFunction ${id}: iotDataEndpoint ${JSON.stringify(props.iotDataEndpoint)} is not a host ` +
          'name; pass the iot:Data-ATS endpoint without https://',
      );
    }
    if (RUNTIME.name !== `${LAMBDA_TARGET.replace('node', 'nodejs')}.x`) {
      throw new Error(
        `PublisherFunction ${id}: runtime ${RUNTIME.name} does not match esbuild target ${LAMBDA_TARGET} ` +
          'in scripts/lambda-bundle.ts; change both together',
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy (AwsSolutions-IAM4):
    // the function may write to its own log group and nowhere else.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ec2led publisher: writes its log group and publishes instance states to IoT Core',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const stack = Stack.of(this);
    const topics = { partition: stack.partition, region: stack.region, account: stack.account };
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iot:Publish'],
        resources: [instanceTopicsArn(topics, props.topicPrefix)],
      }),
    );
    // cdk-nag names a finding by the ARN with each pseudo parameter written as <AWS::Name>.
    const nagTopics = {
      partition: Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition,
      region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
      account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
    };
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${instanceTopicsArn(nagTopics, props.topicPrefix)}]`,
      reason:
        'The Lambda publishes to one topic per instance, {prefix}/v1/{account}/{region}/{instance-id}, ' +
        'for instances not known at deploy time; the wildcard covers exactly the instance topics ' +
        'under this prefix and version, nothing else in IoT Core.',
    });
    if (props.publishesAlarms === true) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['iot:Publish'],
          resources: [alarmTopicsArn(topics, props.topicPrefix)],
        }),
      );
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${alarmTopicsArn(nagTopics, props.topicPrefix)}]`,
        reason:
          'Alarm messages go to one topic per account and region, {prefix}/alarm/v1/{account}/{region}, ' +
          'for the accounts and regions the selected alarms live in; the wildcard covers exactly the ' +
          'alarm topics under this prefix and version.',
      });
    }

    if (props.publishesDeploys === true) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['iot:Publish'],
          resources: [deployTopicsArn(topics, props.topicPrefix)],
        }),
      );
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${deployTopicsArn(nagTopics, props.topicPrefix)}]`,
        reason:
          'Deploy messages go to one topic per account and region, {prefix}/deploy/v1/{account}/{region}; ' +
          'the wildcard covers exactly the deploy topics under this prefix and version.',
      });
    }

    this.function = new lambda.Function(this, 'Function', {
      description: 'ec2led: EC2 instance state change -> IoT Core topic',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(ROOT, 'lambda'), {
        // Hash what is deployed, not the folder: the bundle also holds shared/ and the AWS SDK.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Required by the API but never used: tryBundle below returns true or throws, so Docker never runs.
          image: RUNTIME.bundlingImage,
          local: {
            tryBundle(outputDir) {
              buildSync(lambdaBuildOptions(join(outputDir, 'index.mjs')));
              return true;
            },
          },
        },
      }),
      role: this.role,
      logGroup: this.logGroup,
      environment: { IOT_DATA_ENDPOINT: props.iotDataEndpoint, TOPIC_PREFIX: props.topicPrefix },
      retryAttempts: PUBLISH_RETRY_ATTEMPTS,
      maxEventAge: PUBLISH_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(props.onFailure),
    });

    // The on-failure queue's alarm fires only after the retries are exhausted; this one fires on the
    // first failure, which is when the log group still holds the "publish failed" line nearby.
    this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription:
        'ec2led publisher: the Lambda failed to publish a state change; read its log group for "publish failed"',
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      // No invocations, no data points: nothing failed.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
