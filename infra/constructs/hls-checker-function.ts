/**
 * The HLS checker Lambda (lambda/hls-checker.ts) and one EventBridge Scheduler schedule a minute per
 * stream. Bundled in-process by `hlsCheckerBuildOptions`, as measured by its budget test. Its role
 * may write its own log group and nothing else: the metric leaves as an Embedded Metric Format line.
 */
import { join } from 'node:path';
import { AssetHashType, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { hlsCheckerBuildOptions } from '../../scripts/hls-checker-bundle.ts';
import { ROOT } from '../../scripts/lambda-bundle.ts';

const RUNTIME = lambda.Runtime.NODEJS_24_X;
/** 3 target durations of 15 s, 8 reads and a segment, each cut off at 5 s: 60 s is enough. */
export const HLS_CHECKER_TIMEOUT = Duration.seconds(60);
export const HLS_CHECKER_MEMORY_MB = 128;

export interface HlsStream {
  readonly check: string;
  readonly url: string;
}

export interface HlsCheckerFunctionProps {
  readonly streams: readonly HlsStream[];
}

export class HlsCheckerFunction extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: HlsCheckerFunctionProps) {
    super(scope, id);
    if (props.streams.length === 0)
      throw new Error(`HlsCheckerFunction ${id}: no streams; pass at least one`);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ec2led HLS checker: writes its log group (and so its metric) only',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      description: 'ec2led: HLS stream check -> CloudWatch metric ec2led/Checks HlsStatus',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: HLS_CHECKER_MEMORY_MB,
      timeout: HLS_CHECKER_TIMEOUT,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(join(ROOT, 'lambda'), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: tryBundle returns true or throws, so Docker never runs.
          image: RUNTIME.bundlingImage,
          // CDK caches bundles by source path and bundling options, not by the tryBundle function:
          // without this the checker would get the publisher's bundle of the same lambda/ folder.
          environment: { EC2LED_BUNDLE: 'hls-checker' },
          local: {
            tryBundle(outputDir) {
              buildSync(hlsCheckerBuildOptions(join(outputDir, 'index.mjs')));
              return true;
            },
          },
        },
      }),
      role,
      logGroup,
      // A missed minute is replaced by the next one: no retries, no queue.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });

    const invoker = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'ec2led: lets EventBridge Scheduler run the HLS checker',
    });
    invoker.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
    for (const stream of props.streams) {
      new scheduler.CfnSchedule(this, `Every minute ${stream.check}`, {
        description: `ec2led: check the HLS stream ${stream.url}`,
        scheduleExpression: 'rate(1 minute)',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: this.function.functionArn,
          roleArn: invoker.roleArn,
          input: JSON.stringify({ check: stream.check, url: stream.url }),
          retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
        },
      });
    }
  }
}
