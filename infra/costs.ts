/**
 * Pure: the monthly cost table of docs/deploy.md, computed from its inputs so the arithmetic cannot
 * drift (test/infra/costs.test.ts checks that the table in the doc is exactly `costTable()` and that
 * the alarm and key counts match the synthesized stacks). Print it with `npx tsx infra/costs.ts`.
 *
 * List prices for US East (N. Virginia), as researched in November 2026; other regions differ a little.
 * The KMS keys of the alarm topics rotate yearly (alarm-notifications.ts), and each of the first two
 * rotations adds a key-month to the key's price; later ones are free (KMS pricing page; AWS Security
 * Blog, 2024, on faster automatic rotation: "a new limit on the price of all symmetric keys that
 * have had two or more rotations"). So a key costs $1 a month in its first year, $2 in its second and $3 from its third:
 * `costLines(inputs, year)` and `costByYearTable()` show that.
 * Pages: https://aws.amazon.com/iot-core/pricing/ , https://aws.amazon.com/lambda/pricing/ ,
 * https://aws.amazon.com/eventbridge/pricing/ , https://aws.amazon.com/cloudwatch/pricing/ ,
 * https://aws.amazon.com/sns/pricing/ , https://aws.amazon.com/kms/pricing/ ,
 * https://aws.amazon.com/sqs/pricing/ , https://aws.amazon.com/free/ .
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface CostInputs {
  readonly region: string;
  readonly pricesResearched: string;
  readonly changesPerDay: number;
  readonly daysPerMonth: number;
  /** Pis connected all month. */
  readonly devices: number;
  readonly forwarderRegions: number;
  /** Share of the changes that happen in forwarder regions (each crosses regions once). */
  readonly forwardedShare: number;
  readonly alarmEmail: boolean;
  /**
   * IoT Core messages metered per change: the Lambda's HTTPS publish, the delivery to the Pi and the
   * Pi's PUBACK (QoS 1; metered as one 5 KB message), each under 5 KB. PUBACKs sent by the service,
   * PINGREQ/PINGRESP and CONNACK/SUBACK are free.
   */
  readonly iotMessagesPerChange: number;
  readonly lambdaMemoryGb: number;
  /** Assumed average billed duration per invocation, cold starts included (one HTTPS publish). */
  readonly lambdaAverageSeconds: number;
  /** START, END and REPORT lines plus our one JSON line per invocation. */
  readonly logBytesPerChange: number;
  /** ALARM and OK notifications a month, across all alarms (a quiet month has none). */
  readonly alarmEmailsPerMonth: number;
  readonly price: {
    readonly iotMessagePerMillion: number;
    readonly iotConnectionMinutePerMillion: number;
    readonly lambdaRequestPerMillion: number;
    readonly lambdaArmGbSecond: number;
    readonly customEventPerMillion: number;
    readonly alarmPerMonth: number;
    readonly snsEmailPer100k: number;
    readonly kmsKeyPerMonth: number;
    /** Rotations that each add kmsKeyPerMonth to a key's monthly price; later ones add nothing. */
    readonly kmsChargedRotations: number;
    readonly logIngestionPerGb: number;
    readonly sqsRequestPerMillion: number;
  };
}

export const COST_INPUTS: CostInputs = {
  region: 'us-east-1',
  pricesResearched: 'November 2026',
  changesPerDay: 1000,
  daysPerMonth: 30,
  devices: 1,
  forwarderRegions: 1,
  forwardedShare: 0.5,
  alarmEmail: true,
  iotMessagesPerChange: 3,
  lambdaMemoryGb: 0.25,
  lambdaAverageSeconds: 0.2,
  logBytesPerChange: 700,
  alarmEmailsPerMonth: 10,
  price: {
    iotMessagePerMillion: 1.0,
    iotConnectionMinutePerMillion: 0.08,
    lambdaRequestPerMillion: 0.2,
    lambdaArmGbSecond: 0.0000133334,
    customEventPerMillion: 1.0,
    alarmPerMonth: 0.1,
    snsEmailPer100k: 2.0,
    kmsKeyPerMonth: 1.0,
    kmsChargedRotations: 2,
    logIngestionPerGb: 0.5,
    sqsRequestPerMillion: 0.4,
  },
};

/** Alarms per stack, as infra/ creates them (pinned against the templates by the cost test). */
export const HOME_ALARMS = 3;
export const FORWARDER_ALARMS = 1;

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** Dollars per unit. */
  readonly unitPrice: number;
  readonly price: string;
  /** Units a month the always-free tier covers (0: none; Infinity: the item is free). */
  readonly alwaysFree: number;
  /** The free tier, in words (12-month tiers included). */
  readonly free: string;
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** The years the cost tables distinguish: KMS key prices stop rising after the second rotation. */
export type CostYear = 1 | 2 | 3;

/** A yearly-rotated KMS key's monthly price in its `year`-th year (3: the third and every later one). */
export function kmsKeyMonthly(year: CostYear, inputs: CostInputs = COST_INPUTS): number {
  return inputs.price.kmsKeyPerMonth * (1 + Math.min(year - 1, inputs.price.kmsChargedRotations));
}

export function costLines(inputs: CostInputs = COST_INPUTS, year: CostYear = 1): CostLine[] {
  const { price } = inputs;
  const changes = inputs.changesPerDay * inputs.daysPerMonth;
  const stackRegions = 1 + inputs.forwarderRegions;
  const emails = inputs.alarmEmail ? inputs.alarmEmailsPerMonth : 0;
  return [
    {
      item: 'EventBridge: EC2 state changes on the default bus',
      quantity: changes,
      unit: 'events',
      unitPrice: 0,
      price: 'free (AWS service events)',
      alwaysFree: Number.POSITIVE_INFINITY,
      free: 'always free',
    },
    {
      item: `IoT Core messages (${inputs.iotMessagesPerChange} per change)`,
      quantity: changes * inputs.iotMessagesPerChange,
      unit: 'messages',
      unitPrice: price.iotMessagePerMillion / 1e6,
      price: `$${price.iotMessagePerMillion.toFixed(2)} per million (5 KB units)`,
      alwaysFree: 0,
      free: '500,000 a month in the first 12 months only',
    },
    {
      item: `IoT Core connection (${inputs.devices} Pi, all month)`,
      quantity: inputs.devices * inputs.daysPerMonth * 24 * 60,
      unit: 'minutes',
      unitPrice: price.iotConnectionMinutePerMillion / 1e6,
      price: `$${price.iotConnectionMinutePerMillion.toFixed(2)} per million minutes`,
      alwaysFree: 0,
      free: '2.25 million minutes a month in the first 12 months only',
    },
    {
      item: 'Lambda requests (arm64)',
      quantity: changes,
      unit: 'invocations',
      unitPrice: price.lambdaRequestPerMillion / 1e6,
      price: `$${price.lambdaRequestPerMillion.toFixed(2)} per million`,
      alwaysFree: 1e6,
      free: '1 million a month',
    },
    {
      item: `Lambda duration (arm64, ${inputs.lambdaMemoryGb * 1024} MB, ~${inputs.lambdaAverageSeconds * 1000} ms)`,
      quantity: changes * inputs.lambdaMemoryGb * inputs.lambdaAverageSeconds,
      unit: 'GB-s',
      unitPrice: price.lambdaArmGbSecond,
      price: `$${price.lambdaArmGbSecond} per GB-s`,
      alwaysFree: 400_000,
      free: '400,000 GB-s a month',
    },
    {
      item: `EventBridge cross-region events (${inputs.forwardedShare * 100}% of changes)`,
      quantity: inputs.forwarderRegions > 0 ? changes * inputs.forwardedShare : 0,
      unit: 'events',
      unitPrice: price.customEventPerMillion / 1e6,
      price: `$${price.customEventPerMillion.toFixed(2)} per million (as custom events)`,
      alwaysFree: 0,
      free: 'none',
    },
    {
      item: `CloudWatch alarms (${HOME_ALARMS} home + ${FORWARDER_ALARMS} per forwarder)`,
      quantity: HOME_ALARMS + FORWARDER_ALARMS * inputs.forwarderRegions,
      unit: 'alarms',
      unitPrice: price.alarmPerMonth,
      price: `$${price.alarmPerMonth.toFixed(2)} per alarm-month`,
      alwaysFree: 10,
      free: '10 alarms',
    },
    {
      item: 'KMS keys of the alarm topics (alarmEmail only, one per stack region)',
      quantity: inputs.alarmEmail ? stackRegions : 0,
      unit: 'keys',
      unitPrice: kmsKeyMonthly(year, inputs),
      price:
        year === 1
          ? `$${price.kmsKeyPerMonth.toFixed(2)} per key-month in year 1; each yearly rotation adds $${price.kmsKeyPerMonth.toFixed(2)}, the first ${price.kmsChargedRotations} only`
          : `$${kmsKeyMonthly(year, inputs).toFixed(2)} per key-month`,
      alwaysFree: 0,
      free: 'none for keys (20,000 requests a month are free)',
    },
    {
      item: 'SNS e-mail notifications (alarmEmail only)',
      quantity: emails,
      unit: 'e-mails',
      unitPrice: price.snsEmailPer100k / 1e5,
      price: `$${price.snsEmailPer100k.toFixed(2)} per 100,000`,
      alwaysFree: 1000,
      free: '1,000 e-mails a month',
    },
    {
      item: 'CloudWatch Logs ingestion (the Lambda, kept 30 days)',
      quantity: (changes * inputs.logBytesPerChange) / 1e9,
      unit: 'GB',
      unitPrice: price.logIngestionPerGb,
      price: `$${price.logIngestionPerGb.toFixed(2)} per GB`,
      alwaysFree: 5,
      free: '5 GB a month',
    },
    {
      item: 'SQS dead-letter queues (while nothing fails)',
      quantity: 0,
      unit: 'requests',
      unitPrice: price.sqsRequestPerMillion / 1e6,
      price: `$${price.sqsRequestPerMillion.toFixed(2)} per million requests`,
      alwaysFree: 1e6,
      free: '1 million requests a month',
    },
  ];
}

export const monthly = (line: CostLine): number => line.quantity * line.unitPrice;
export const afterAlwaysFree = (line: CostLine): number =>
  Math.max(0, line.quantity - line.alwaysFree) * line.unitPrice;

export type MemberCostLine = Pick<CostLine, 'item' | 'quantity' | 'unit' | 'unitPrice'>;

/** Alarms in one member stack instance (one account, one region): its dead-letter queue's. */
export const MEMBER_ALARMS = 1;

/**
 * What one member account adds a month, over `regions` member stack instances (docs/accounts.md):
 * an alarm per region, with alarmEmail a KMS key per region, and its state changes crossing to the
 * ingest bus, billed as custom events (EventBridge pricing: cross-account delivery). The reader
 * role, STS and DescribeInstances cost nothing.
 */
export function memberAccountCost(
  changesPerDay: number,
  regions: number,
  inputs: CostInputs = COST_INPUTS,
  year: CostYear = 1,
): { readonly lines: MemberCostLine[]; readonly total: number } {
  const events = changesPerDay * inputs.daysPerMonth;
  const lines: MemberCostLine[] = [
    {
      item: 'CloudWatch alarms (dead-letter queue)',
      quantity: MEMBER_ALARMS * regions,
      unit: 'alarm',
      unitPrice: inputs.price.alarmPerMonth,
    },
    {
      item: 'EventBridge cross-account events',
      quantity: events,
      unit: 'event',
      unitPrice: inputs.price.customEventPerMillion / 1e6,
    },
    ...(inputs.alarmEmail
      ? [
          {
            item: 'KMS key of the alarm topic',
            quantity: regions,
            unit: 'key',
            unitPrice: kmsKeyMonthly(year, inputs),
          },
        ]
      : []),
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0) };
}

export function dollars(value: number): string {
  if (value === 0) return '$0.00';
  return value < 0.1 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function usage(line: CostLine): string {
  return line.unit === 'GB'
    ? `${(line.quantity * 1000).toFixed(0)} MB`
    : `${count(line.quantity)} ${line.unit}`;
}

const sum = (lines: readonly CostLine[], cost: (line: CostLine) => number) =>
  lines.reduce((total, line) => total + cost(line), 0);

/** The Markdown table docs/deploy.md holds between its cost-table markers. */
export function costTable(inputs: CostInputs = COST_INPUTS): string {
  const lines = costLines(inputs);
  const rows = [
    '| item | usage a month | list price | a month | after the always-free tier | free tier |',
    '| --- | --- | --- | ---: | ---: | --- |',
    ...lines.map(
      (line) =>
        `| ${line.item} | ${usage(line)} | ${line.price} | ${dollars(monthly(line))} | ` +
        `${dollars(afterAlwaysFree(line))} | ${line.free} |`,
    ),
    `| **total** | | | **${dollars(sum(lines, monthly))}** | **${dollars(sum(lines, afterAlwaysFree))}** | |`,
  ];
  return rows.join('\n');
}

/**
 * The Markdown table docs/deploy.md holds between its cost-years markers: the monthly totals of
 * costTable() in year 1, 2 and 3+, which differ only by the KMS keys' rotations.
 */
export function costByYearTable(inputs: CostInputs = COST_INPUTS): string {
  const years: CostYear[] = [1, 2, 3];
  const cell = (cost: (lines: CostLine[]) => number) =>
    years.map((year) => dollars(cost(costLines(inputs, year)))).join(' | ');
  const keys = (lines: CostLine[]) =>
    monthly(lines.find((line) => line.item.startsWith('KMS keys')) as CostLine);
  const keyCount = costLines(inputs).find((line) => line.item.startsWith('KMS keys'))?.quantity ?? 0;
  return [
    '| a month | year 1 | year 2 | year 3 and later |',
    '| --- | ---: | ---: | ---: |',
    `| KMS keys (${keyCount}, rotated yearly) | ${cell(keys)} |`,
    `| total, list price | ${cell((lines) => sum(lines, monthly))} |`,
    `| total, after the always-free tier | ${cell((lines) => sum(lines, afterAlwaysFree))} |`,
  ].join('\n');
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMain()) process.stdout.write(`${costTable()}\n\n${costByYearTable()}\n`);
