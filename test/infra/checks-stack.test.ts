import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import type { ChecksStack } from '../../infra/checks-stack.ts';
import { type StackView, viewStack } from './template-view.ts';

const ACCOUNT = '123456789012';
const CHECKS = JSON.stringify([
  'https://www.example.com/health?deep=1',
  { url: 'http://intranet.example.com/', match: 'All systems go', name: 'intranet' },
  'tcp://db.example.com:5432',
  'hls:https://d111111abcdef8.cloudfront.net/live/playlist.m3u8',
  { hls: 'https://stream.example.com/app/playlist.m3u8', name: 'lobby', distributionId: 'E2ABCDEF123456' },
]);

const scratch = mkdtempSync(join(tmpdir(), 'ec2led-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function build(context: Record<string, unknown>): Ec2LedApp {
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: {
      'aws:cdk:bundling-stacks': [],
      account: ACCOUNT,
      regions: 'eu-west-1',
      checks: CHECKS,
      ...context,
    },
  });
  return buildApp(app, {});
}

let built: Ec2LedApp;
let checks: StackView;

beforeAll(() => {
  built = build({});
  checks = viewStack(built.checks as ChecksStack);
}, 120_000);

const alarms = () => checks.resources('AWS::CloudWatch::Alarm');

describe('checks stack', () => {
  it('lives in us-east-1, where Route 53 health-check metrics are, after the home stack', () => {
    const stack = built.checks as ChecksStack;
    expect([stack.stackName, stack.region]).toEqual(['Ec2Led-checks', 'us-east-1']);
    expect(stack.dependencies).toEqual([built.home]);
  });

  it('creates a Route 53 health check per HTTP(S) and TCP check: SNI for HTTPS, string match, TCP for ping', () => {
    const configs = Object.values(checks.resources('AWS::Route53::HealthCheck')).map(
      (r) => r.HealthCheckConfig,
    );
    expect(configs).toEqual([
      {
        Type: 'HTTPS',
        FullyQualifiedDomainName: 'www.example.com',
        Port: 443,
        ResourcePath: '/health?deep=1',
        EnableSNI: true,
        RequestInterval: 30,
        FailureThreshold: 3,
      },
      {
        Type: 'HTTP_STR_MATCH',
        FullyQualifiedDomainName: 'intranet.example.com',
        Port: 80,
        ResourcePath: '/',
        SearchString: 'All systems go',
        RequestInterval: 30,
        FailureThreshold: 3,
      },
      {
        Type: 'TCP',
        FullyQualifiedDomainName: 'db.example.com',
        Port: 5432,
        RequestInterval: 30,
        FailureThreshold: 3,
      },
    ]);
  });

  it('puts an alarm named <stack>-check-<name> on each health check status', () => {
    const intranet = alarms()['Alarm intranet'];
    expect(intranet).toMatchObject({
      AlarmName: 'Ec2Led-check-intranet',
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: '${Health intranet.HealthCheckId}' }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(alarms()['Alarm db.example.com-5432']?.AlarmName).toBe('Ec2Led-check-db.example.com-5432');
  });

  it('runs the HLS checker every minute per stream through EventBridge Scheduler, with no retries', () => {
    const schedules = Object.values(checks.resources('AWS::Scheduler::Schedule'));
    expect(schedules.map((s) => [s.ScheduleExpression, (s.Target as { Input: string }).Input])).toEqual([
      [
        'rate(1 minute)',
        JSON.stringify({
          check: 'd111111abcdef8.cloudfront.net',
          url: 'https://d111111abcdef8.cloudfront.net/live/playlist.m3u8',
        }),
      ],
      [
        'rate(1 minute)',
        JSON.stringify({ check: 'lobby', url: 'https://stream.example.com/app/playlist.m3u8' }),
      ],
    ]);
    expect(schedules[0]?.Target).toMatchObject({
      Arn: '${HlsChecker/Function.Arn}',
      RoleArn: '${HlsChecker/SchedulerRole.Arn}',
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    });
    expect(checks.roles()['HlsChecker/SchedulerRole']?.statements).toEqual([
      { Action: 'lambda:InvokeFunction', Resource: '${HlsChecker/Function.Arn}' },
    ]);
    expect(checks.roles()['HlsChecker/Role']?.statements.map((s) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
    ]);
    expect(checks.resources('AWS::Lambda::Function')['HlsChecker/Function']).toMatchObject({
      Architectures: ['arm64'],
      MemorySize: 128,
      Timeout: 60,
      Runtime: 'nodejs24.x',
    });
  });

  it('alarms on HlsStatus of 1 or more for two minutes; off-air writes no HlsStatus, so no ALARM', () => {
    expect(alarms()['Alarm lobby']).toMatchObject({
      AlarmName: 'Ec2Led-check-lobby',
      Namespace: 'ec2led/Checks',
      MetricName: 'HlsStatus',
      Dimensions: [{ Name: 'Check', Value: 'lobby' }],
      Statistic: 'Maximum',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
    });
  });

  it('offers the CloudFront 5xxErrorRate alarm for a stream with a distribution id', () => {
    expect(alarms()['Alarm lobby-cdn-5xx']).toMatchObject({
      AlarmName: 'Ec2Led-check-lobby-cdn-5xx',
      Namespace: 'AWS/CloudFront',
      MetricName: '5xxErrorRate',
      Dimensions: [
        { Name: 'DistributionId', Value: 'E2ABCDEF123456' },
        { Name: 'Region', Value: 'Global' },
      ],
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms()['Alarm d111111abcdef8.cloudfront.net-cdn-5xx']).toBeUndefined();
  });

  it('forwards exactly the check alarms to the home bus, and home routes them to the Lambda', () => {
    const rule = checks.resources('AWS::Events::Rule').AlarmStateChangeRule as {
      EventPattern: unknown;
      Targets: Array<{ Arn: string }>;
    };
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix: 'Ec2Led-check-' }] },
    });
    expect(rule.Targets[0]?.Arn).toBe(`arn:\${AWS::Partition}:events:eu-west-1:${ACCOUNT}:event-bus/default`);
    const home = viewStack(built.home).resources('AWS::Events::Rule').AlarmStateChangeRule as {
      EventPattern: { detail: unknown };
    };
    expect(home.EventPattern.detail).toEqual({ alarmName: [{ prefix: 'Ec2Led-check-' }] });
  });

  it('lets the device list alarms in us-east-1 too', () => {
    const statement = viewStack(built.home)
      .roles()
      ['DeviceAccess/Role']?.statements.find((s) => s.Action === 'cloudwatch:DescribeAlarms');
    expect(statement?.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
    });
  });

  it('tags check alarms and propagates the tag when the selection is by tag', () => {
    const tagged = viewStack(build({ alarmTag: 'board=desk' }).checks as ChecksStack);
    expect(tagged.resources('AWS::CloudWatch::Alarm')['Alarm intranet']).toMatchObject({
      Tags: [{ Key: 'board', Value: 'desk' }],
      ActionConfiguration: { AlarmTagsPropagation: { Enabled: true, IncludedTagKeys: ['board'] } },
    });
  }, 60_000);

  it('puts a distribution made for live HLS in front of an origin, checks through it, and alarms on its 5xx rate', () => {
    const app = build({
      checks: '[{"hls":"/live/playlist.m3u8","origin":"https://wowza.example.com:1935/app","name":"lobby"}]',
    });
    const view = viewStack(app.checks as ChecksStack);
    const [config] = Object.values(view.resources('AWS::CloudFront::Distribution')).map(
      (d) => d.DistributionConfig as Record<string, unknown>,
    );
    expect(config).toMatchObject({
      Origins: [
        {
          DomainName: 'wowza.example.com',
          OriginPath: '/app',
          CustomOriginConfig: {
            OriginProtocolPolicy: 'https-only',
            HTTPSPort: 1935,
            OriginSSLProtocols: ['TLSv1.2'],
          },
        },
      ],
      DefaultCacheBehavior: {
        CachePolicyId: '${Cdn lobby/Segments}',
        ViewerProtocolPolicy: 'redirect-to-https',
        Compress: false,
      },
      CacheBehaviors: [{ PathPattern: '*.m3u8', CachePolicyId: '${Cdn lobby/Playlists}', Compress: false }],
      PriceClass: 'PriceClass_100',
    });
    expect(config?.CustomErrorResponses).toEqual(
      [400, 403, 404, 500, 502, 503, 504].map((code) => ({ ErrorCode: code, ErrorCachingMinTTL: 1 })),
    );
    const policies = view.resources('AWS::CloudFront::CachePolicy');
    const ttls = (path: string) => {
      const c = policies[path]?.CachePolicyConfig as Record<string, unknown>;
      const keys = c.ParametersInCacheKeyAndForwardedToOrigin as { QueryStringsConfig: unknown };
      return [c.MinTTL, c.DefaultTTL, c.MaxTTL, keys.QueryStringsConfig];
    };
    expect(ttls('Cdn lobby/Playlists')).toEqual([0, 1, 2, { QueryStringBehavior: 'all' }]);
    expect(ttls('Cdn lobby/Segments')).toEqual([0, 86_400, 31_536_000, { QueryStringBehavior: 'all' }]);
    const [schedule] = Object.values(view.resources('AWS::Scheduler::Schedule'));
    expect((schedule?.Target as { Input: unknown } | undefined)?.Input).toBe(
      '{"check":"lobby","url":"https://${Cdn lobby/Distribution.DomainName}/live/playlist.m3u8"}',
    );
    // cdk-nag runs as a synth validation: this throws on any finding not acknowledged with its reason.
    expect(() => ((app.checks as ChecksStack).node.root as App).synth()).not.toThrow();
    expect(view.resources('AWS::CloudWatch::Alarm')['Alarm lobby-cdn-5xx']).toMatchObject({
      MetricName: '5xxErrorRate',
      Dimensions: [
        { Name: 'DistributionId', Value: '${Cdn lobby/Distribution}' },
        { Name: 'Region', Value: 'Global' },
      ],
    });
  }, 60_000);

  it('needs no forwarding rule when home is us-east-1: the home rule sees the check alarms itself', () => {
    const local = build({ regions: 'us-east-1', checks: '["tcp://db.example.com:5432"]' });
    expect(viewStack(local.checks as ChecksStack).resources('AWS::Events::Rule')).toEqual({});
    const home = viewStack(local.home).resources('AWS::Events::Rule').AlarmStateChangeRule as {
      EventPattern: { detail: unknown };
    };
    expect(home.EventPattern.detail).toEqual({ alarmName: [{ prefix: 'Ec2Led-check-' }] });
  }, 60_000);

  it('reaches the publisher exactly once when us-east-1 is also a forwarder: one rule there matches a check alarm', () => {
    for (const selection of [{}, { alarmPrefix: 'prod-' }, { alarmTag: 'board=desk' }]) {
      const app = build({
        regions: 'eu-west-1,us-east-1',
        checks: '["tcp://db.example.com:5432"]',
        ...selection,
      });
      const inUsEast1 = [app.checks as ChecksStack, ...app.forwarders].filter(
        (stack) => stack.region === 'us-east-1',
      );
      expect(inUsEast1).toHaveLength(2);
      const event = {
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        detail: {
          alarmName: 'Ec2Led-check-db.example.com-5432',
          ...('alarmTag' in selection ? { alarmTags: { board: 'desk' } } : {}),
        },
      };
      const matching = inUsEast1.flatMap((stack) =>
        Object.entries(viewStack(stack).resources('AWS::Events::Rule'))
          .filter(([, rule]) => matches((rule as { EventPattern: Pattern }).EventPattern, event))
          .map(([id]) => `${stack.stackName}/${id}`),
      );
      expect([selection, matching]).toEqual([selection, ['Ec2Led-forwarder-us-east-1/AlarmStateChangeRule']]);
      // No rule, no dead-letter queue of its own: the forwarder's carries the check alarms.
      expect(viewStack(app.checks as ChecksStack).resources('AWS::SQS::Queue')).toEqual({});
    }
  }, 120_000);
});

type Pattern = { [key: string]: Pattern | ReadonlyArray<string | Record<string, unknown>> };

/** EventBridge matching for the pattern forms these stacks use: values, `prefix`, `exists`, nesting, `$or`. */
function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    if (key === '$or') return (want as readonly Pattern[]).some((option) => matches(option, event));
    const value = event[key];
    if (!Array.isArray(want)) {
      return (
        typeof value === 'object' &&
        value !== null &&
        matches(want as Pattern, value as Record<string, unknown>)
      );
    }
    return want.some((option) => {
      if (typeof option === 'string') return value === option;
      if ('prefix' in option) return typeof value === 'string' && value.startsWith(option.prefix as string);
      if ('exists' in option) return (value !== undefined) === option.exists;
      throw new Error(`pattern form ${JSON.stringify(option)} not handled by this test`);
    });
  });
}
