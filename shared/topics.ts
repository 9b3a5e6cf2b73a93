/**
 * Every MQTT topic string and IoT policy ARN of the project is built here, once.
 *
 * Topic scheme: `{prefix}/v1/{account}/{region}/{instanceId}`; a device subscribes only to the
 * accounts and regions it lists (`subscriptionFilters`). The prefix is one topic level of letters,
 * digits, `_` and `-` (default `ec2led`).
 *
 * Alarm scheme (alarm-message.ts): `{prefix}/alarm/v1/{account}/{region}`, one topic per account and
 * region for every alarm there (an alarm name may hold `/`, `+` or `#`, so it never becomes a topic
 * level). The `alarm` level keeps the tree apart from the instance tree: no instance filter
 * (`{prefix}/v1/...`, even `{prefix}/v1/#`) matches it, so agents that know only instances never
 * receive alarm messages.
 *
 * Deploy scheme (deploy-message.ts): `{prefix}/deploy/v1/{account}/{region}`, the alarm scheme's
 * shape on its own `deploy` level, for every CodePipeline pipeline and ECS service there.
 */

import { TOPIC_PREFIX_PATTERN } from './patterns.ts';

export const DEFAULT_TOPIC_PREFIX = 'ec2led';
const VERSION_LEVEL = 'v1';
const ALARM_LEVEL = 'alarm';
const DEPLOY_LEVEL = 'deploy';

export interface InstanceAddress {
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
}

/** Throws when the prefix cannot be a single safe topic level; the message names the value and the fix. */
export function checkTopicPrefix(prefix: string): string {
  if (!TOPIC_PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `topic prefix ${JSON.stringify(prefix)} is not one topic level of 1-64 letters, digits, "_" or "-"; ` +
        `set topicPrefix to something like "${DEFAULT_TOPIC_PREFIX}"`,
    );
  }
  return prefix;
}

export function instanceTopic(prefix: string, address: InstanceAddress): string {
  return `${checkTopicPrefix(prefix)}/${VERSION_LEVEL}/${address.account}/${address.region}/${address.instanceId}`;
}

/** The widest filter: every instance of every account and region. */
export function subscriptionFilter(prefix: string): string {
  return `${checkTopicPrefix(prefix)}/${VERSION_LEVEL}/#`;
}

/**
 * IoT Core's default quota of subscriptions per connection. Beyond it the filters widen (below); the
 * device still drops every message outside its accounts and regions.
 */
export const MAX_SUBSCRIPTIONS = 50;

/**
 * The MQTT filters a device subscribes to: one per configured account and region
 * (`{prefix}/v1/{account}/{region}/+`), so the broker never sends it another account's or region's
 * changes. More pairs than MAX_SUBSCRIPTIONS: one filter per account (`{prefix}/v1/{account}/+/+`);
 * more accounts than that: `{prefix}/v1/#`. `max` is what is left of the quota for them (the
 * settings shadow's topics take some on the same connection).
 */
export function subscriptionFilters(
  prefix: string,
  accounts: readonly string[],
  regions: readonly string[],
  max: number = MAX_SUBSCRIPTIONS,
): string[] {
  const base = `${checkTopicPrefix(prefix)}/${VERSION_LEVEL}`;
  const uniqueAccounts = [...new Set(accounts)];
  const uniqueRegions = [...new Set(regions)];
  if (uniqueAccounts.length * uniqueRegions.length <= max) {
    return uniqueAccounts.flatMap((account) =>
      uniqueRegions.map((region) => `${base}/${account}/${region}/+`),
    );
  }
  if (uniqueAccounts.length <= max) return uniqueAccounts.map((account) => `${base}/${account}/+/+`);
  return [subscriptionFilter(prefix)];
}

/** Splits a topic built by `instanceTopic`; undefined for any other topic. */
export function parseInstanceTopic(prefix: string, topic: string): InstanceAddress | undefined {
  const levels = topic.split('/');
  if (levels.length !== 5 || levels[0] !== prefix || levels[1] !== VERSION_LEVEL) return undefined;
  const [, , account, region, instanceId] = levels as [string, string, string, string, string];
  if (account === '' || region === '' || instanceId === '') return undefined;
  return { account, region, instanceId };
}

export interface AlarmAddress {
  readonly account: string;
  readonly region: string;
}

/** The topic of every alarm message of one account and region. */
export function alarmTopic(prefix: string, address: AlarmAddress): string {
  return `${checkTopicPrefix(prefix)}/${ALARM_LEVEL}/${VERSION_LEVEL}/${address.account}/${address.region}`;
}

/** Splits a topic built by `alarmTopic`; undefined for any other topic. */
export function parseAlarmTopic(prefix: string, topic: string): AlarmAddress | undefined {
  const levels = topic.split('/');
  if (levels.length !== 5 || levels[0] !== prefix || levels[1] !== ALARM_LEVEL || levels[2] !== VERSION_LEVEL)
    return undefined;
  const [, , , account, region] = levels as [string, string, string, string, string];
  if (account === '' || region === '') return undefined;
  return { account, region };
}

/** The topic of every deploy message of one account and region. */
export function deployTopic(prefix: string, address: AlarmAddress): string {
  return `${checkTopicPrefix(prefix)}/${DEPLOY_LEVEL}/${VERSION_LEVEL}/${address.account}/${address.region}`;
}

/** Splits a topic built by `deployTopic`; undefined for any other topic. */
export function parseDeployTopic(prefix: string, topic: string): AlarmAddress | undefined {
  const levels = topic.split('/');
  if (
    levels.length !== 5 ||
    levels[0] !== prefix ||
    levels[1] !== DEPLOY_LEVEL ||
    levels[2] !== VERSION_LEVEL
  )
    return undefined;
  const [, , , account, region] = levels as [string, string, string, string, string];
  if (account === '' || region === '') return undefined;
  return { account, region };
}

/** Where IoT policies and IAM statements refer to. Values may be CloudFormation tokens. */
export interface IotScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** `arn:{partition}:iot:{region}:{account}:{resource}`, for a resource such as `topic/...`. */
export function iotArn(scope: IotScope, resource: string): string {
  return `arn:${scope.partition}:iot:${scope.region}:${scope.account}:${resource}`;
}

/** ARN of every instance topic under the prefix (`iot:Publish`, `iot:Receive`). */
export function instanceTopicsArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topic/${checkTopicPrefix(prefix)}/${VERSION_LEVEL}/*`);
}

/**
 * ARN of every subscription filter under the prefix (`iot:Subscribe`). IoT policies read `+` and `#`
 * literally and match with `*`, so `topicfilter/{prefix}/v1/*` is what allows the per-account and
 * per-region filters of `subscriptionFilters` (and the wide `{prefix}/v1/#`).
 */
export function subscriptionFilterArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topicfilter/${checkTopicPrefix(prefix)}/${VERSION_LEVEL}/*`);
}

/** ARN of an MQTT client id (`iot:Connect`); pass a policy variable to scope it to the thing. */
export function clientArn(scope: IotScope, clientId: string): string {
  return iotArn(scope, `client/${clientId}`);
}

/** ARN of a role alias (`iot:AssumeRoleWithCertificate`). */
export function roleAliasArn(scope: IotScope, alias: string): string {
  return iotArn(scope, `rolealias/${alias}`);
}

/** ARN of every alarm topic under the prefix (`iot:Publish`, `iot:Receive`). */
export function alarmTopicsArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topic/${checkTopicPrefix(prefix)}/${ALARM_LEVEL}/${VERSION_LEVEL}/*`);
}

/** ARN of every alarm subscription filter under the prefix (`iot:Subscribe`). */
export function alarmFilterArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topicfilter/${checkTopicPrefix(prefix)}/${ALARM_LEVEL}/${VERSION_LEVEL}/*`);
}

/** ARN of every deploy topic under the prefix (`iot:Publish`, `iot:Receive`). */
export function deployTopicsArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topic/${checkTopicPrefix(prefix)}/${DEPLOY_LEVEL}/${VERSION_LEVEL}/*`);
}

/** ARN of every deploy subscription filter under the prefix (`iot:Subscribe`). */
export function deployFilterArn(scope: IotScope, prefix: string): string {
  return iotArn(scope, `topicfilter/${checkTopicPrefix(prefix)}/${DEPLOY_LEVEL}/${VERSION_LEVEL}/*`);
}

/**
 * The named shadow holding the settings a user may change without SSH (device/config/remote-settings.ts).
 * Named, not the classic shadow, so other tools can keep their own state on the thing.
 */
export const SETTINGS_SHADOW = 'ec2led-settings';

/** What a device publishes to its shadow: the two request topics of the Device Shadow service. */
export type ShadowRequest = 'get' | 'update';
/** What the shadow service publishes back, and the device subscribes to. */
export type ShadowResponse =
  | 'get/accepted'
  | 'get/rejected'
  | 'update/accepted'
  | 'update/rejected'
  | 'update/delta';
export const SHADOW_REQUESTS: readonly ShadowRequest[] = ['get', 'update'];
export const SHADOW_RESPONSES: readonly ShadowResponse[] = [
  'get/accepted',
  'get/rejected',
  'update/accepted',
  'update/rejected',
  'update/delta',
];

/**
 * `$aws/things/{thing}/shadow/name/{shadow}/{operation}`: the reserved topics of one named shadow.
 * `thing` may be the IoT policy variable `${iot:Connection.Thing.ThingName}`, for a policy.
 */
export function shadowTopic(
  thing: string,
  operation: ShadowRequest | ShadowResponse,
  shadow: string = SETTINGS_SHADOW,
): string {
  return `$aws/things/${thing}/shadow/name/${shadow}/${operation}`;
}

/** ARNs of the named shadow's request topics (`iot:Publish`), one each, no wildcard. */
export function shadowRequestArns(
  scope: IotScope,
  thing: string,
  shadow: string = SETTINGS_SHADOW,
): string[] {
  return SHADOW_REQUESTS.map((op) => iotArn(scope, `topic/${shadowTopic(thing, op, shadow)}`));
}

/** ARNs of the named shadow's response topics: `topic/...` (`iot:Receive`) or `topicfilter/...` (`iot:Subscribe`). */
export function shadowResponseArns(
  scope: IotScope,
  thing: string,
  kind: 'topic' | 'topicfilter',
  shadow: string = SETTINGS_SHADOW,
): string[] {
  return SHADOW_RESPONSES.map((op) => iotArn(scope, `${kind}/${shadowTopic(thing, op, shadow)}`));
}

/**
 * The AWS IoT Jobs MQTT API topics a device uses for its updates (shared/update-job.ts): it
 * subscribes to `notify-next` and to the responses of its two requests, and publishes `start-next`
 * (take the next queued job, IN_PROGRESS) and `{jobId}/update` (report progress or the outcome).
 * `thing` may be the IoT policy variable `${iot:Connection.Thing.ThingName}`, for a policy.
 */
export type JobsTopic =
  | { readonly op: 'notify-next' }
  | { readonly op: 'start-next' | 'start-next/accepted' | 'start-next/rejected' }
  | { readonly op: 'update' | 'update/accepted' | 'update/rejected'; readonly jobId: string };

export function jobsTopic(thing: string, topic: JobsTopic): string {
  const base = `$aws/things/${thing}/jobs`;
  return 'jobId' in topic ? `${base}/${topic.jobId}/${topic.op}` : `${base}/${topic.op}`;
}
