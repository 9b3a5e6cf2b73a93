/**
 * Pure: CDK context and environment -> the settings of the app, validated once.
 *
 * Every context key (cdk.json `context`, or `npx cdk synth -c key=value`) and its default:
 * - `regions`: the home region first, then every extra region to forward from; a comma list or a JSON
 *   array. Default: the CLI's region (`CDK_DEFAULT_REGION`). With neither, the one home stack is
 *   region-agnostic (`AWS::Region`), which is what lets `npx cdk synth` run offline on a clean clone.
 * - `account`: default `CDK_DEFAULT_ACCOUNT`; with neither, `AWS::AccountId` resolved at deploy time.
 * - `topicPrefix`: default `ec2led`, one topic level (shared/topics.ts).
 * - `iotDataEndpoint`, `iotCredentialsEndpoint`: default looked up at deploy time (DescribeEndpoint).
 * - `stackName`: the home stack's name, default `Ec2Led`; forwarders are `<stackName>-forwarder-<region>`.
 * - `alarmEmail`: where every alarm sends its ALARM and OK notifications; default none.
 * - `alarmPrefix`, `alarmTag`: which CloudWatch alarms become alarm messages (docs/checks.md); a comma
 *   list or JSON array of alarm name prefixes, and one tag as `key` or `key=value`. Default none: no
 *   alarm rule, and the device role gets no `cloudwatch:DescribeAlarms`.
 * - `checks`: HTTP, TCP and HLS checks (infra/checks.ts, docs/checks.md); default none. Their alarms
 *   join the alarm selection on their own.
 * - `deployPrefix`: which CodePipeline pipelines and ECS services become deploy messages
 *   (docs/deploy.md); a comma list or JSON array of name prefixes, or `*` for every one. Default none:
 *   no deploy rules, and the device role gets no CodePipeline or ECS call.
 * - `organizationId`: the AWS Organization (o-…) whose accounts may send to the home ingest bus and
 *   whose `ec2led-reader` roles the device may assume; default none (one account, no ingest bus).
 * - `deviceRoleArn`: the home stack's output DeviceRoleArn; with `organizationId`, the app also
 *   synthesizes the member stack `<stackName>-member` (docs/accounts.md).
 * - `allowRegions`: regions newer than the lists of infra/regions.ts that the user vouches for (a
 *   comma list or JSON array): taken as commercial regions with an IoT credentials provider. Default none.
 *
 * Every bad value is a SettingsError: one sentence naming the key, the value and the fix, which
 * app.ts prints as one line instead of a stack trace. The string keys are one table (STRING_KEYS:
 * each key's rule and fix, through shared/schema.ts); the lists and checks are parsed below it.
 */

import { ACCOUNT_PATTERN, REGION_PATTERN } from '../shared/patterns.ts';
import { pattern, type Schema, show, text } from '../shared/schema.ts';
import { DEFAULT_STACK_NAME } from '../shared/stack.ts';
import { checkTopicPrefix, DEFAULT_TOPIC_PREFIX } from '../shared/topics.ts';
import { type Check, checkAlarmPrefix, parseChecks } from './checks.ts';
import { ALLOW_REGIONS_KEY, regionsProblem } from './regions.ts';

export interface Settings {
  readonly stackName: string;
  /** Undefined: the deploying account (`AWS::AccountId`). */
  readonly account: string | undefined;
  /** Home region first. Undefined: one region-agnostic home stack and no forwarders. */
  readonly regions: readonly string[] | undefined;
  readonly topicPrefix: string;
  /** Undefined: looked up at deploy time. */
  readonly iotDataEndpoint: string | undefined;
  readonly iotCredentialsEndpoint: string | undefined;
  /** Undefined: alarms notify no one (the deploy output says so). */
  readonly alarmEmail: string | undefined;
  /** Undefined: no CloudWatch alarm is shown on the board. Includes the checks' alarms. */
  readonly alarms: AlarmSelection | undefined;
  readonly checks: readonly Check[];
  /** Undefined: no pipeline or ECS service is shown on the board. */
  readonly deploys?: DeploySelection | undefined;
  /** Undefined: one account, no ingest bus, no member stack. */
  readonly organizationId: string | undefined;
  /** With organizationId: the member stack is synthesized, trusting this role. */
  readonly deviceRoleArn: string | undefined;
}

/**
 * The alarms routed to the board: any name prefix (none: every name) and, when set, the tag as
 * well. A tag with no value matches any value.
 */
export interface AlarmSelection {
  readonly namePrefixes: readonly string[];
  readonly tag: { readonly key: string; readonly value: string | undefined } | undefined;
}

/** The pipelines and ECS services routed to the board: any name prefix; none: every one. */
export interface DeploySelection {
  readonly namePrefixes: readonly string[];
}

/** A bad context value; the message names the key, the value and the fix. */
export class SettingsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SettingsError';
  }
}

export type ContextReader = (key: string) => unknown;

const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,100}$/;
// A DNS name such as abc123-ats.iot.eu-west-1.amazonaws.com, without scheme or path.
const HOST_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
// Deliberately loose: SNS confirms the address by e-mail; this catches a missing @ or a stray space.
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// CloudWatch limits: alarm names 1-255 characters; tag keys 1-128, values 0-256, no `aws:` prefix.
const ALARM_PREFIX_MAX = 255;
const TAG_PATTERN = /^([^=\s][^=]{0,127})(?:=(.{0,256}))?$/s;

const endpointRule = {
  schema: pattern(HOST_PATTERN, 'a host name such as abc123-ats.iot.eu-west-1.amazonaws.com (no https://)'),
  fix: 'copy it from aws iot describe-endpoint, or remove it to look it up at deploy time',
};

/**
 * The context keys that hold one string: each one's rule (shared/schema.ts) and the fix its error
 * gives. An empty or absent value means the default; the value is trimmed first.
 */
const STRING_KEYS = {
  stackName: {
    schema: pattern(STACK_NAME_PATTERN, 'a letter then letters, digits or "-"'),
    fix: `fix it or remove it for ${DEFAULT_STACK_NAME}`,
  },
  account: {
    schema: pattern(ACCOUNT_PATTERN, '12 digits'),
    fix: 'fix context account or CDK_DEFAULT_ACCOUNT',
  },
  iotDataEndpoint: endpointRule,
  iotCredentialsEndpoint: endpointRule,
  alarmEmail: {
    schema: pattern(EMAIL_PATTERN, 'one e-mail address such as you@example.com'),
    fix: 'fix it, or remove it to deploy alarms that notify no one',
  },
  alarmTag: {
    schema: text(
      1,
      400,
      'key or key=value (a key of 1-128 characters, not starting with aws:, a value of up to 256)',
      (tag) => {
        const match = TAG_PATTERN.exec(tag);
        return match !== null && !(match[1] as string).startsWith('aws:');
      },
    ),
    fix: 'set it like -c alarmTag=board=desk',
  },
  organizationId: {
    schema: pattern(/^o-[a-z0-9]{10,32}$/, 'an organization id like o-a1b2c3d4e5'),
    fix: 'copy it from `aws organizations describe-organization --query Organization.Id`',
  },
  deviceRoleArn: {
    schema: pattern(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'a role ARN'),
    fix: 'copy the home stack output DeviceRoleArn',
  },
} as const satisfies Record<string, { readonly schema: Schema<string>; readonly fix: string }>;

/**
 * A string context key through its rule: undefined when absent or empty, else the trimmed value,
 * or a SettingsError naming the key, the value, what it must be and the fix. `fallback` (an
 * environment variable's value) is checked alike when the context has none.
 */
function stringSetting(
  context: ContextReader,
  key: keyof typeof STRING_KEYS,
  fallback?: string,
): string | undefined {
  const raw = context(key);
  const value = raw === undefined || raw === null || raw === '' ? fallback : raw;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new SettingsError(`context ${key} is ${show(value)}, expected a string; fix it in cdk.json or -c`);
  }
  const { schema, fix } = STRING_KEYS[key];
  const parsed = schema.parse(value.trim(), key);
  if (!parsed.ok) {
    throw new SettingsError(`context ${key} is ${show(value.trim())}, expected ${schema.what}; ${fix}`);
  }
  return parsed.value;
}

/**
 * `regions` as a comma list (`-c regions=us-east-1,eu-west-1`) or a JSON array (cdk.json). `allowed`
 * (context allowRegions) names regions newer than infra/regions.ts that the user vouches for.
 */
export function parseRegions(value: unknown, allowed: readonly string[] = []): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    list = text.startsWith('[') ? safeJson(text) : text.split(',').map((region) => region.trim());
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string')) {
    throw new SettingsError(
      `context regions is ${JSON.stringify(value)}, expected a comma list or JSON array of region names; ` +
        'set it like -c regions=eu-west-1,us-east-1 (home region first)',
    );
  }
  const regions = list as string[];
  for (const region of regions) {
    if (!REGION_PATTERN.test(region)) {
      throw new SettingsError(
        `context regions holds ${JSON.stringify(region)}, which is not a region name like eu-west-1; ` +
          'fix the regions list',
      );
    }
  }
  const duplicate = regions.find((region, index) => regions.indexOf(region) !== index);
  if (duplicate !== undefined) {
    throw new SettingsError(
      `context regions lists ${duplicate} twice; name each region once, home region first`,
    );
  }
  const problem = regionsProblem(regions, allowed);
  if (problem !== undefined) throw new SettingsError(`context regions: ${problem}`);
  return regions;
}

/** Context allowRegions: a comma list or JSON array of region names; default none. */
export function parseAllowRegions(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    list = text.startsWith('[') ? safeJson(text) : text.split(',').map((region) => region.trim());
  }
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && REGION_PATTERN.test(item))) {
    throw new SettingsError(
      `context ${ALLOW_REGIONS_KEY} is ${JSON.stringify(value)}, expected region names such as ` +
        `eu-south-2 (a comma list or JSON array); set it like -c ${ALLOW_REGIONS_KEY}=eu-south-2`,
    );
  }
  return list as string[];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The CLI's region (AWS_REGION or the profile's) when context names none. */
function cliRegion(region: string, allowed: readonly string[]): string[] {
  try {
    return parseRegions(region, allowed);
  } catch (error) {
    throw new SettingsError(
      `the CLI's region ${JSON.stringify(region)} (AWS_REGION or the profile's region) cannot be used: ` +
        `${(error as Error).message.replace(/^context regions:? ?/, '')}; or set regions in cdk.json or -c regions=...`,
      { cause: error },
    );
  }
}

export function readSettings(
  context: ContextReader,
  env: Readonly<Record<string, string | undefined>>,
): Settings {
  const stackName = stringSetting(context, 'stackName') ?? DEFAULT_STACK_NAME;
  const account = stringSetting(context, 'account', env.CDK_DEFAULT_ACCOUNT || undefined);

  const regionsContext = context('regions');
  const hasRegions = regionsContext !== undefined && regionsContext !== null && regionsContext !== '';
  const defaultRegion = env.CDK_DEFAULT_REGION || undefined;
  const allowed = parseAllowRegions(context(ALLOW_REGIONS_KEY));
  const regions = hasRegions
    ? parseRegions(regionsContext, allowed)
    : defaultRegion === undefined
      ? undefined
      : cliRegion(defaultRegion, allowed);

  const rawPrefix = context('topicPrefix');
  if (rawPrefix !== undefined && rawPrefix !== null && typeof rawPrefix !== 'string') {
    throw new SettingsError(
      `context topicPrefix is ${show(rawPrefix)}, expected a string; fix it in cdk.json or -c`,
    );
  }
  let topicPrefix = rawPrefix?.trim() || DEFAULT_TOPIC_PREFIX;
  try {
    topicPrefix = checkTopicPrefix(topicPrefix);
  } catch (error) {
    throw new SettingsError(`context topicPrefix: ${(error as Error).message}`, { cause: error });
  }

  const alarmEmail = stringSetting(context, 'alarmEmail');

  let checks: Check[];
  try {
    checks = parseChecks(context('checks'));
  } catch (error) {
    throw new SettingsError(`context checks: ${(error as Error).message}`, { cause: error });
  }
  if (checks.length > 0 && regions === undefined) {
    throw new SettingsError(
      'context checks needs to know the home region, for the checks stack in us-east-1 to send its alarms ' +
        'there; set -c regions=<home region> or the CLI region',
    );
  }
  const organizationId = stringSetting(context, 'organizationId');
  const deviceRoleArn = stringSetting(context, 'deviceRoleArn');
  if (deviceRoleArn !== undefined) {
    if (organizationId === undefined) {
      throw new SettingsError('context deviceRoleArn needs organizationId too; set -c organizationId=o-…');
    }
    if (regions === undefined) {
      throw new SettingsError('context deviceRoleArn needs regions (home region first); set -c regions=…');
    }
  }

  return {
    organizationId,
    deviceRoleArn,
    stackName,
    account,
    alarms: withChecks(
      readAlarmSelection(context),
      checks.length > 0 ? checkAlarmPrefix(stackName) : undefined,
    ),
    checks,
    deploys: readDeploySelection(context),
    regions,
    topicPrefix,
    iotDataEndpoint: stringSetting(context, 'iotDataEndpoint'),
    iotCredentialsEndpoint: stringSetting(context, 'iotCredentialsEndpoint'),
    alarmEmail,
  };
}

function readAlarmSelection(context: ContextReader): AlarmSelection | undefined {
  const rawPrefixes = context('alarmPrefix');
  const rawTag = stringSetting(context, 'alarmTag');
  let namePrefixes: string[] = [];
  if (rawPrefixes !== undefined && rawPrefixes !== null && rawPrefixes !== '') {
    let list: unknown = rawPrefixes;
    if (typeof rawPrefixes === 'string') {
      const text = rawPrefixes.trim();
      list = text.startsWith('[') ? safeJson(text) : text.split(',').map((prefix) => prefix.trim());
    }
    const valid =
      Array.isArray(list) &&
      list.length > 0 &&
      list.every((item) => typeof item === 'string' && item.length > 0 && item.length <= ALARM_PREFIX_MAX);
    if (!valid) {
      throw new SettingsError(
        `context alarmPrefix is ${JSON.stringify(rawPrefixes)}, expected a comma list or JSON array of ` +
          `alarm name prefixes of 1-${ALARM_PREFIX_MAX} characters; set it like -c alarmPrefix=prod-,web-`,
      );
    }
    namePrefixes = [...new Set(list as string[])];
  }
  let tag: AlarmSelection['tag'];
  const match = rawTag === undefined ? null : TAG_PATTERN.exec(rawTag);
  if (match !== null) tag = { key: (match[1] as string).trim(), value: match[2] };
  if (namePrefixes.length === 0 && tag === undefined) return undefined;
  return { namePrefixes, tag };
}

/** Pipeline names are 1-100 of these, ECS service names 1-255 of a subset. */
const DEPLOY_PREFIX_PATTERN = /^[A-Za-z0-9.@_-]{1,100}$/;

function readDeploySelection(context: ContextReader): DeploySelection | undefined {
  const raw = context('deployPrefix');
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === '*') return { namePrefixes: [] };
  let list: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    list = text.startsWith('[') ? safeJson(text) : text.split(',').map((prefix) => prefix.trim());
  }
  const valid =
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((item) => typeof item === 'string' && DEPLOY_PREFIX_PATTERN.test(item));
  if (!valid) {
    throw new SettingsError(
      `context deployPrefix is ${JSON.stringify(raw)}, expected a comma list or JSON array of pipeline and ` +
        'service name prefixes (1-100 letters, digits, ".", "@", "_", "-"), or * for every one; ' +
        'set it like -c deployPrefix=shop-,api-',
    );
  }
  return { namePrefixes: [...new Set(list as string[])] };
}

/**
 * The selection plus the checks' alarms: their prefix joins the user's prefixes (none: the checks
 * alone); with a tag and no prefix the check alarms carry the tag instead (checks-stack.ts).
 */
function withChecks(
  selection: AlarmSelection | undefined,
  checkPrefix: string | undefined,
): AlarmSelection | undefined {
  if (checkPrefix === undefined) return selection;
  if (selection === undefined) return { namePrefixes: [checkPrefix], tag: undefined };
  if (selection.namePrefixes.length === 0) return selection;
  return { ...selection, namePrefixes: [...new Set([...selection.namePrefixes, checkPrefix])] };
}

export function memberStackName(settings: Settings): string {
  return `${settings.stackName}-member`;
}

export function forwarderStackName(settings: Settings, region: string): string {
  return `${settings.stackName}-forwarder-${region}`;
}
