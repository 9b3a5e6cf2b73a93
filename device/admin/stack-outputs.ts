/**
 * Pure: the home stack's outputs -> what a device needs. The keys are the contract with
 * infra/home-stack.ts (HOME_OUTPUTS), which device/ may not import; test/infra holds the two together.
 */
import { AdminError } from './errors.ts';

/** The home stack's default name (infra/settings.ts DEFAULT_STACK_NAME). */
export const DEFAULT_STACK_NAME = 'Ec2Led';

export const STACK_OUTPUT_KEYS = {
  dataEndpoint: 'IotDataEndpoint',
  credentialsEndpoint: 'IotCredentialsEndpoint',
  policyName: 'DevicePolicyName',
  roleAlias: 'DeviceRoleAlias',
  topicPrefix: 'TopicPrefix',
  regions: 'Regions',
} as const;

export interface DeviceAccess {
  readonly dataEndpoint: string;
  readonly credentialsEndpoint: string;
  readonly policyName: string;
  readonly roleAlias: string;
  readonly topicPrefix: string;
  readonly regions: readonly string[];
}

export interface StackOutput {
  readonly OutputKey?: string | undefined;
  readonly OutputValue?: string | undefined;
}

export function readDeviceAccess(
  stackName: string,
  status: string | undefined,
  outputs: readonly StackOutput[],
): DeviceAccess {
  const value = (key: string): string => {
    const found = outputs.find((output) => output.OutputKey === key)?.OutputValue;
    if (found === undefined || found === '') {
      throw new AdminError(
        `stack ${stackName} (status ${status ?? 'unknown'}) has no output ${key}; ` +
          `deploy the current version with \`npx cdk deploy ${stackName}\` and wait for it to finish`,
        1,
      );
    }
    return found;
  };
  return {
    dataEndpoint: value(STACK_OUTPUT_KEYS.dataEndpoint),
    credentialsEndpoint: value(STACK_OUTPUT_KEYS.credentialsEndpoint),
    policyName: value(STACK_OUTPUT_KEYS.policyName),
    roleAlias: value(STACK_OUTPUT_KEYS.roleAlias),
    topicPrefix: value(STACK_OUTPUT_KEYS.topicPrefix),
    regions: value(STACK_OUTPUT_KEYS.regions)
      .split(',')
      .map((region) => region.trim())
      .filter((region) => region !== ''),
  };
}
