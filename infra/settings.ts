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
 */

import { DEFAULT_STACK_NAME } from '../shared/stack.ts';
import { checkTopicPrefix, DEFAULT_TOPIC_PREFIX } from '../shared/topics.ts';

/** The home stack's default name; device/admin/stack-outputs.ts holds the same value for the CLI. */
export { DEFAULT_STACK_NAME };

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
}

export type ContextReader = (key: string) => unknown;

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,100}$/;
// A DNS name such as abc123-ats.iot.eu-west-1.amazonaws.com, without scheme or path.
const HOST_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
// Cross-region event bus targets do not reach or leave these partitions (docs/reference/aws.md §1.4).
const NO_FORWARDING = /^(cn|us-gov)-/;

function optionalString(context: ContextReader, key: string): string | undefined {
  const value = context(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error(
      `context ${key} is ${JSON.stringify(value)}, expected a string; fix it in cdk.json or -c`,
    );
  }
  return value.trim();
}

/** `regions` as a comma list (`-c regions=us-east-1,eu-west-1`) or a JSON array (cdk.json). */
export function parseRegions(value: unknown): string[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    list = text.startsWith('[') ? safeJson(text) : text.split(',').map((region) => region.trim());
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string')) {
    throw new Error(
      `context regions is ${JSON.stringify(value)}, expected a comma list or JSON array of region names; ` +
        'set it like -c regions=eu-west-1,us-east-1 (home region first)',
    );
  }
  const regions = list as string[];
  for (const region of regions) {
    if (!REGION_PATTERN.test(region)) {
      throw new Error(
        `context regions holds ${JSON.stringify(region)}, which is not a region name like eu-west-1; ` +
          'fix the regions list',
      );
    }
  }
  const duplicate = regions.find((region, index) => regions.indexOf(region) !== index);
  if (duplicate !== undefined) {
    throw new Error(`context regions lists ${duplicate} twice; name each region once, home region first`);
  }
  const isolated = regions.find((region) => NO_FORWARDING.test(region));
  if (regions.length > 1 && isolated !== undefined) {
    throw new Error(
      `context regions holds ${isolated}: EventBridge cannot forward across regions there; ` +
        'deploy one app per region instead',
    );
  }
  return regions;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function endpoint(context: ContextReader, key: string): string | undefined {
  const value = optionalString(context, key);
  if (value !== undefined && !HOST_PATTERN.test(value)) {
    throw new Error(
      `context ${key} is ${JSON.stringify(value)}, expected a host name such as ` +
        `abc123-ats.iot.eu-west-1.amazonaws.com (no https://); copy it from aws iot describe-endpoint, ` +
        'or remove it to look it up at deploy time',
    );
  }
  return value;
}

export function readSettings(
  context: ContextReader,
  env: Readonly<Record<string, string | undefined>>,
): Settings {
  const stackName = optionalString(context, 'stackName') ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME_PATTERN.test(stackName)) {
    throw new Error(
      `context stackName is ${JSON.stringify(stackName)}, expected a letter then letters, digits or "-"; ` +
        `fix it or remove it for ${DEFAULT_STACK_NAME}`,
    );
  }

  const account = optionalString(context, 'account') ?? (env.CDK_DEFAULT_ACCOUNT || undefined);
  if (account !== undefined && !ACCOUNT_PATTERN.test(account)) {
    throw new Error(`account is ${JSON.stringify(account)}, expected 12 digits; fix context account`);
  }

  const regionsContext = context('regions');
  const hasRegions = regionsContext !== undefined && regionsContext !== null && regionsContext !== '';
  const defaultRegion = env.CDK_DEFAULT_REGION || undefined;
  const regions = hasRegions
    ? parseRegions(regionsContext)
    : defaultRegion === undefined
      ? undefined
      : parseRegions(defaultRegion);

  let topicPrefix = optionalString(context, 'topicPrefix') ?? DEFAULT_TOPIC_PREFIX;
  try {
    topicPrefix = checkTopicPrefix(topicPrefix);
  } catch (error) {
    throw new Error(`context topicPrefix: ${(error as Error).message}`, { cause: error });
  }

  return {
    stackName,
    account,
    regions,
    topicPrefix,
    iotDataEndpoint: endpoint(context, 'iotDataEndpoint'),
    iotCredentialsEndpoint: endpoint(context, 'iotCredentialsEndpoint'),
  };
}

export function forwarderStackName(settings: Settings, region: string): string {
  return `${settings.stackName}-forwarder-${region}`;
}
