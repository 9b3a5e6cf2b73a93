/**
 * Pure: the home stack's outputs -> what a device needs. The keys are shared/stack.ts, which
 * infra/home-stack.ts writes.
 */
import { DEFAULT_STACK_NAME, STACK_OUTPUT_KEYS } from '../../shared/stack.ts';
import { AdminError } from './errors.ts';

export { DEFAULT_STACK_NAME, STACK_OUTPUT_KEYS };

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
