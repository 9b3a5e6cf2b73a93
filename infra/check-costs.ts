/**
 * Pure: the per-check monthly costs of docs/deploy.md and docs/checks.md ("Costs per check"),
 * computed from their inputs like infra/costs.ts (test/infra/check-costs.test.ts holds the doc copy,
 * the arithmetic and the counts against the synthesized checks stack). Print it with
 * `npx tsx infra/check-costs.ts`.
 *
 * List prices for US East (N. Virginia), November 2026. Pages: https://aws.amazon.com/route53/pricing/ ,
 * https://aws.amazon.com/cloudwatch/pricing/ , https://aws.amazon.com/eventbridge/pricing/ ,
 * https://aws.amazon.com/lambda/pricing/ , https://aws.amazon.com/cloudfront/pricing/ .
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MAX_PATIENCE_MS } from '../shared/hls-check.ts';
import { COST_INPUTS, dollars } from './costs.ts';

export const CHECK_COST_INPUTS = {
  minutesPerMonth: 30 * 24 * 60,
  /** State changes a month of one alarm shown on the board (a flappy one; most have fewer). */
  alarmChangesPerMonth: 100,
  /**
   * The HLS checker: 128 MB, billed ~4.5 s a run for a healthy 6 s-segment stream. A stalled stream
   * keeps it reading for up to MAX_PATIENCE_MS (shared/hls-check.ts: 3 target durations, capped at
   * 45 s; 18 s for 6 s segments, the full 45 s from 15 s segments on); the Lambda's timeout
   * (constructs/hls-checker-function.ts, held by the cost test) bounds a run whatever happens.
   */
  hlsMemoryGb: 0.125,
  hlsAverageSeconds: 4.5,
  hlsStalledSeconds: MAX_PATIENCE_MS / 1000,
  hlsTimeoutSeconds: 60,
  /** Master, ~3 media playlist reads, one segment range: HTTPS requests a run, to the CDN. */
  hlsRequestsPerRun: 5,
  hlsLogBytesPerRun: 700,
  price: {
    healthCheckAwsEndpoint: 0.5,
    healthCheckOtherEndpoint: 0.75,
    /** HTTPS, string matching, fast interval, latency: each. */
    healthCheckFeatureAwsEndpoint: 1.0,
    healthCheckFeatureOtherEndpoint: 2.0,
    alarmPerMonth: COST_INPUTS.price.alarmPerMonth,
    customMetricPerMonth: 0.3,
    schedulerInvocationPerMillion: 1.0,
    lambdaRequestPerMillion: COST_INPUTS.price.lambdaRequestPerMillion,
    lambdaArmGbSecond: COST_INPUTS.price.lambdaArmGbSecond,
    logIngestionPerGb: COST_INPUTS.price.logIngestionPerGb,
    cloudFrontHttpsPer10k: 0.01,
    iotMessagePerMillion: COST_INPUTS.price.iotMessagePerMillion,
  },
} as const;

export interface CheckCost {
  readonly check: string;
  /** What the money buys, in words. */
  readonly parts: string;
  readonly monthly: number;
  /** Free tiers that do not run out with the first year (CloudWatch's 10 alarms and 10 metrics aside). */
  readonly note: string;
}

export function checkCosts(inputs = CHECK_COST_INPUTS): CheckCost[] {
  const p = inputs.price;
  const runs = inputs.minutesPerMonth;
  const alarmOnBoard =
    (inputs.alarmChangesPerMonth * (3 * p.iotMessagePerMillion + p.lambdaRequestPerMillion)) / 1e6;
  const hlsLambda = (seconds: number) =>
    (runs * p.lambdaRequestPerMillion) / 1e6 + runs * inputs.hlsMemoryGb * seconds * p.lambdaArmGbSecond;
  const hlsRest =
    p.alarmPerMonth +
    p.customMetricPerMonth +
    (runs * p.schedulerInvocationPerMillion) / 1e6 +
    ((runs * inputs.hlsLogBytesPerRun) / 1e9) * p.logIngestionPerGb +
    (runs * inputs.hlsRequestsPerRun * p.cloudFrontHttpsPer10k) / 1e4;
  return [
    {
      check: 'an existing alarm on the board (`alarmPrefix`, `alarmTag`)',
      parts: `${inputs.alarmChangesPerMonth} state changes: 3 IoT messages and one Lambda run each`,
      monthly: alarmOnBoard,
      note: 'the alarm itself is yours already; its events on the default bus are free',
    },
    {
      check: 'HTTP or TCP check, AWS endpoint',
      parts: 'Route 53 health check + its alarm',
      monthly: p.healthCheckAwsEndpoint + p.alarmPerMonth,
      note: 'cheaper than other endpoints; 10 alarms free',
    },
    {
      check: 'HTTP or TCP check, other endpoint',
      parts: 'Route 53 health check + its alarm',
      monthly: p.healthCheckOtherEndpoint + p.alarmPerMonth,
      note: '10 alarms free',
    },
    {
      check: 'HTTPS check, AWS endpoint',
      parts: 'health check + HTTPS feature + alarm',
      monthly: p.healthCheckAwsEndpoint + p.healthCheckFeatureAwsEndpoint + p.alarmPerMonth,
      note: 'string matching adds $1.00',
    },
    {
      check: 'HTTPS check, other endpoint',
      parts: 'health check + HTTPS feature + alarm',
      monthly: p.healthCheckOtherEndpoint + p.healthCheckFeatureOtherEndpoint + p.alarmPerMonth,
      note: 'string matching adds $2.00',
    },
    {
      check: 'HLS check, healthy stream',
      parts: `${runs.toLocaleString('en-US')} runs of ~${inputs.hlsAverageSeconds} s at 128 MB, schedule, metric, alarm, logs, ${inputs.hlsRequestsPerRun} CDN requests a run`,
      monthly: hlsLambda(inputs.hlsAverageSeconds) + hlsRest,
      note: 'Lambda, Scheduler and CloudFront free tiers usually cover all but the metric and alarm',
    },
    {
      check: 'HLS check, stalled all month',
      parts: `the same with every run reading the playlist for ${inputs.hlsStalledSeconds} s, the checker's limit`,
      monthly: hlsLambda(inputs.hlsStalledSeconds) + hlsRest,
      note: `at most ${dollars(hlsLambda(inputs.hlsTimeoutSeconds) + hlsRest)} if every run hit the ${inputs.hlsTimeoutSeconds} s Lambda timeout`,
    },
    {
      check: 'CloudFront 5xxErrorRate alarm (HLS with `distributionId`)',
      parts: 'one alarm on a metric CloudFront already publishes',
      monthly: p.alarmPerMonth,
      note: '10 alarms free',
    },
  ];
}

export function checkCostTable(inputs = CHECK_COST_INPUTS): string {
  return [
    '| check | what it pays for | a month, list price | note |',
    '| --- | --- | ---: | --- |',
    ...checkCosts(inputs).map(
      (row) => `| ${row.check} | ${row.parts} | ${dollars(row.monthly)} | ${row.note} |`,
    ),
  ].join('\n');
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain()) process.stdout.write(`${checkCostTable()}\n`);
