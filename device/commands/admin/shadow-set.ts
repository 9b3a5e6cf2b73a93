/**
 * The AWS side of `ec2led device set`: the home stack's data endpoint (CloudFormation), then
 * UpdateThingShadow on the device's settings shadow with a `desired` patch. Loaded lazily by cli.ts,
 * never by the agent: @aws-sdk/client-iot-data-plane is an admin (development) dependency, kept out
 * of the Pi bundle (scripts/device-bundle.ts DEVICE_EXTERNALS).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  IoTDataPlaneClient,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import { SETTINGS_SHADOW } from '../../../shared/topics.ts';
import { describeDeviceAccess } from './enroll.ts';
import { AdminError, awsError } from './errors.ts';

export interface SetRequest {
  readonly thingName: string;
  readonly desired: Readonly<Record<string, unknown>>;
  readonly stackName: string;
  /** Undefined: the SDK's default chain, like `cdk deploy`. */
  readonly region: string | undefined;
}

export interface SetResult {
  /** The shadow's version after the update. */
  readonly version: number | undefined;
}

export async function setDesired(request: SetRequest): Promise<SetResult> {
  const config = request.region === undefined ? {} : { region: request.region };
  const access = await describeDeviceAccess(new CloudFormationClient(config), request.stackName);
  const data = new IoTDataPlaneClient({ ...config, endpoint: `https://${access.dataEndpoint}` });
  const payload = new TextEncoder().encode(JSON.stringify({ state: { desired: request.desired } }));
  let answer: Uint8Array | undefined;
  try {
    const output = await data.send(
      new UpdateThingShadowCommand({ thingName: request.thingName, shadowName: SETTINGS_SHADOW, payload }),
    );
    answer = output.payload;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new AdminError(
        `thing ${request.thingName} not found: check the name with \`ec2led device list\``,
        1,
        { cause: error },
      );
    }
    if (error instanceof RequestEntityTooLargeException) {
      throw new AdminError(
        `the ${SETTINGS_SHADOW} shadow of ${request.thingName} would exceed 8 KB of desired and reported ` +
          'state: remove desired entries you no longer need (set them to null), such as old pins',
        1,
        { cause: error },
      );
    }
    throw awsError(error, `updating the ${SETTINGS_SHADOW} shadow of ${request.thingName}`);
  } finally {
    data.destroy();
  }
  let version: number | undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(answer)) as { version?: unknown };
    version = typeof parsed.version === 'number' ? parsed.version : undefined;
  } catch {
    version = undefined;
  }
  return { version };
}
