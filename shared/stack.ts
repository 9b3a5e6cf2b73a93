/**
 * The home stack's name and output keys: written by infra/home-stack.ts, read by
 * `ec2led device create` (device/commands/admin), so both sides take them from here.
 */

/** The home stack's default name (context `stackName` overrides it). */
export const DEFAULT_STACK_NAME = 'Ec2Led';

/** CloudFormation output keys of the home stack, by what they hold. */
export const STACK_OUTPUT_KEYS = {
  dataEndpoint: 'IotDataEndpoint',
  credentialsEndpoint: 'IotCredentialsEndpoint',
  policyName: 'DevicePolicyName',
  roleAlias: 'DeviceRoleAlias',
  topicPrefix: 'TopicPrefix',
  regions: 'Regions',
} as const;
