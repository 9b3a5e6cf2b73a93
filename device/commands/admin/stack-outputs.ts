/**
 * Pure: the home stack's outputs -> what a device needs. The keys are shared/stack.ts, which
 * infra/home-stack.ts writes.
 */
import { STACK_OUTPUT_KEYS } from '../../../shared/stack.ts';
import { AdminError } from './errors.ts';

export interface DeviceAccess {
  readonly dataEndpoint: string;
  readonly credentialsEndpoint: string;
  readonly policyName: string;
  readonly roleAlias: string;
  readonly topicPrefix: string;
  readonly regions: readonly string[];
  /** The stack's account, from its stack id: the account whose instances the board shows. */
  readonly account: string;
}

export interface StackOutput {
  readonly OutputKey?: string | undefined;
  readonly OutputValue?: string | undefined;
}

/** `arn:aws:cloudformation:eu-west-1:123456789012:stack/Ec2Led/<uuid>` -> 123456789012. */
export function accountOfStackId(stackId: string | undefined): string | undefined {
  return /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:(\d{12}):stack\//.exec(stackId ?? '')?.[1];
}

export function readDeviceAccess(
  stackName: string,
  status: string | undefined,
  outputs: readonly StackOutput[],
  stackId: string | undefined,
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
  const access = {
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
  const account = accountOfStackId(stackId);
  if (account === undefined) {
    throw new AdminError(
      `stack ${stackName} has no usable stack id (${JSON.stringify(stackId ?? null)}) to read its account from; ` +
        'run the command again, and check `aws cloudformation describe-stacks --stack-name ' +
        `${stackName}\` shows a StackId`,
      1,
    );
  }
  return { ...access, account };
}
