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

/**
 * Output keys of the home stack for updates by job (`ec2led device update`), apart from
 * STACK_OUTPUT_KEYS so a device can still be created from a stack deployed before updates existed.
 */
export const UPDATE_OUTPUT_KEYS = {
  bucket: 'UpdateBucketName',
  downloadRoleArn: 'UpdateDownloadRoleArn',
} as const;
