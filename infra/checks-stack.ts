/**
 * The checks stack, in us-east-1 (Route 53 health-check metrics exist there only): per HTTP or TCP
 * check a Route 53 health check and an alarm on its `HealthCheckStatus`; per HLS check a schedule of
 * the HLS checker and an alarm on its `HlsStatus`, plus, with a distribution id, an alarm on the
 * distribution's `5xxErrorRate` (CloudFront metrics are in us-east-1 too); with an origin instead,
 * a distribution made for live HLS in front of it (constructs/hls-distribution.ts), checked through. Every alarm is named
 * `<stackName>-check-<name>` so the alarm rules select it. When home is another region, a rule here
 * sends exactly these alarms' state changes to the home bus, like a forwarder, unless a forwarder
 * stack in us-east-1 does that already: its alarm rule matches the check alarms too (their prefix, or
 * their tag, is in every alarm selection), and two rules would reach the publisher twice.
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { CHECKS_REGION, type Check, checkAlarmPrefix } from './checks.ts';
import { AlarmNotifications } from './constructs/alarm-notifications.ts';
import { AlarmStateChangeRule } from './constructs/alarm-state-change-rule.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from './constructs/ec2-state-change-rule.ts';
import { HlsCheckerFunction } from './constructs/hls-checker-function.ts';
import { HlsDistribution } from './constructs/hls-distribution.ts';
import type { AlarmSelection } from './settings.ts';

export interface ChecksStackProps extends StackProps {
  /** The home stack's name: every check alarm is named `<homeStackName>-check-<name>`. */
  readonly homeStackName: string;
  readonly homeRegion: string;
  readonly checks: readonly Check[];
  /** With a tag in the selection, every check alarm carries it and propagates it to its events. */
  readonly alarms: AlarmSelection | undefined;
  readonly alarmEmail: string | undefined;
  /**
   * A forwarder stack in us-east-1 already sends the selected alarms, check alarms included, to the
   * home bus: then this stack adds no rule of its own. Default false.
   */
  readonly forwarderInRegion?: boolean;
}

/** Route 53: a checker every 30 s (10 s costs more), unhealthy after 3 failures in a row. */
export const HEALTH_CHECK_INTERVAL = 30;
export const HEALTH_CHECK_FAILURES = 3;
/** CloudFront: ALARM when more than 5% of requests answer 5xx in 3 of 5 minutes. */
export const CDN_5XX_PERCENT = 5;

export class ChecksStack extends Stack {
  readonly alarms: cloudwatch.CfnAlarm[] = [];

  constructor(scope: Construct, id: string, props: ChecksStackProps) {
    super(scope, id, props);
    if (this.region !== CHECKS_REGION) {
      throw new Error(
        `ChecksStack ${id}: region ${this.region} is not ${CHECKS_REGION}, where Route 53 health-check metrics live`,
      );
    }
    const prefix = checkAlarmPrefix(props.homeStackName);
    const tag = props.alarms?.tag;

    const alarm = (
      name: string,
      description: string,
      metric: Omit<cloudwatch.CfnAlarmProps, 'alarmName' | 'alarmDescription'>,
    ) => {
      const created = new cloudwatch.CfnAlarm(this, `Alarm ${name}`, {
        alarmName: `${prefix}${name}`,
        alarmDescription: description,
        ...metric,
        ...(tag === undefined
          ? {}
          : {
              tags: [{ key: tag.key, value: tag.value ?? 'ec2led' }],
              actionConfiguration: { alarmTagsPropagation: { enabled: true, includedTagKeys: [tag.key] } },
            }),
      });
      this.alarms.push(created);
    };

    for (const check of props.checks) {
      if (check.kind === 'hls') continue;
      const healthCheck = new route53.CfnHealthCheck(this, `Health ${check.name}`, {
        healthCheckConfig:
          check.kind === 'tcp'
            ? {
                type: 'TCP',
                fullyQualifiedDomainName: check.host,
                port: check.port,
                requestInterval: HEALTH_CHECK_INTERVAL,
                failureThreshold: HEALTH_CHECK_FAILURES,
              }
            : {
                type: `${check.protocol}${check.match === undefined ? '' : '_STR_MATCH'}`,
                fullyQualifiedDomainName: check.host,
                port: check.port,
                resourcePath: check.path,
                searchString: check.match,
                enableSni: check.protocol === 'HTTPS' ? true : undefined,
                requestInterval: HEALTH_CHECK_INTERVAL,
                failureThreshold: HEALTH_CHECK_FAILURES,
              },
        healthCheckTags: [{ key: 'Name', value: `ec2led ${check.name}` }],
      });
      const target =
        check.kind === 'tcp'
          ? `tcp://${check.host}:${check.port}`
          : `${check.protocol.toLowerCase()}://${check.host}:${check.port}${check.path}`;
      alarm(
        check.name,
        `ec2led: Route 53 ${check.kind === 'tcp' ? 'TCP' : check.protocol} check of ${target}`,
        {
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          dimensions: [{ name: 'HealthCheckId', value: healthCheck.attrHealthCheckId }],
          statistic: 'Minimum',
          period: 60,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          treatMissingData: 'missing',
        },
      );
    }

    const streams = props.checks.filter((check) => check.kind === 'hls');
    if (streams.length > 0) {
      // A check with an origin gets its own distribution, checked through it.
      const made = new Map(
        streams.flatMap((s) =>
          s.origin === undefined
            ? []
            : [
                [
                  s.name,
                  new HlsDistribution(this, `Cdn ${s.name}`, { origin: s.origin, name: s.name }).distribution,
                ],
              ],
        ),
      );
      const urlOf = (s: (typeof streams)[number]) => {
        const cdn = made.get(s.name);
        return cdn === undefined ? s.url : `https://${cdn.distributionDomainName}${s.url}`;
      };
      new HlsCheckerFunction(this, 'HlsChecker', {
        streams: streams.map((s) => ({ check: s.name, url: urlOf(s) })),
      });
      for (const stream of streams.map((s) => ({
        ...s,
        url: urlOf(s),
        distributionId: made.get(s.name)?.distributionId ?? s.distributionId,
      }))) {
        alarm(
          stream.name,
          `ec2led: HLS check of ${stream.url} (HlsStatus 1 degraded, 2 down; no data: off-air or not checked)`,
          {
            namespace: 'ec2led/Checks',
            metricName: 'HlsStatus',
            dimensions: [{ name: 'Check', value: stream.name }],
            statistic: 'Maximum',
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            threshold: 1,
            comparisonOperator: 'GreaterThanOrEqualToThreshold',
            treatMissingData: 'missing',
          },
        );
        if (stream.distributionId !== undefined) {
          alarm(
            `${stream.name}-cdn-5xx`,
            `ec2led: CloudFront ${stream.distributionId} answers 5xx to more than ${CDN_5XX_PERCENT}% of requests`,
            {
              namespace: 'AWS/CloudFront',
              metricName: '5xxErrorRate',
              dimensions: [
                { name: 'DistributionId', value: stream.distributionId },
                { name: 'Region', value: 'Global' },
              ],
              statistic: 'Average',
              period: 60,
              evaluationPeriods: 5,
              datapointsToAlarm: 3,
              threshold: CDN_5XX_PERCENT,
              comparisonOperator: 'GreaterThanThreshold',
              treatMissingData: 'notBreaching',
            },
          );
        }
      }
    }

    if (props.homeRegion !== CHECKS_REGION && props.forwarderInRegion !== true) {
      const undelivered = new DeadLetterQueue(this, 'UndeliveredEvents', {
        holds: `ec2led: check alarm state changes this region could not forward to ${props.homeRegion}`,
      });
      const rule = new AlarmStateChangeRule(this, 'AlarmStateChangeRule', {
        description: `ec2led: check alarm state changes to the default bus in ${props.homeRegion}`,
        selection: { namePrefixes: [prefix], tag: undefined },
      });
      const homeBus = events.EventBus.fromEventBusArn(
        this,
        'HomeBus',
        `arn:${Aws.PARTITION}:events:${props.homeRegion}:${this.account}:event-bus/default`,
      );
      rule.addTarget(new targets.EventBus(homeBus, { deadLetterQueue: undelivered.queue }));
      (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
        MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
      });
      new AlarmNotifications(this, 'AlarmTopic', { email: props.alarmEmail });
    }
  }
}
