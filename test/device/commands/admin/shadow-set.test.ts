import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  IoTDataPlaneClient,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
  type UpdateThingShadowCommandOutput,
} from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceMain, parseDeviceArgs } from '../../../../device/commands/admin/cli.ts';
import { AdminError } from '../../../../device/commands/admin/errors.ts';

const data = mockClient(IoTDataPlaneClient);
const cloudformation = mockClient(CloudFormationClient);
const OUTPUTS = [
  { OutputKey: 'IotDataEndpoint', OutputValue: 'abc123-ats.iot.eu-west-1.amazonaws.com' },
  { OutputKey: 'IotCredentialsEndpoint', OutputValue: 'def456.credentials.iot.eu-west-1.amazonaws.com' },
  { OutputKey: 'DevicePolicyName', OutputValue: 'Ec2Led-DeviceAccessPolicy-1A2B3C' },
  { OutputKey: 'DeviceRoleAlias', OutputValue: 'Ec2Led-DeviceAccessRoleAlias-4D5E6F' },
  { OutputKey: 'TopicPrefix', OutputValue: 'ec2led' },
  { OutputKey: 'Regions', OutputValue: 'eu-west-1' },
];
const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/Ec2Led/5f0e6c10-ad33-11f0-8b1a-0a1b2c3d4e5f';

function recordingIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

const usageFailure = (argv: string[]): string => {
  try {
    parseDeviceArgs(argv, '/home/admin');
  } catch (error) {
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).exitCode).toBe(2);
    return (error as AdminError).message;
  }
  throw new Error(`parsed ${argv.join(' ')} without complaint`);
};

beforeEach(() => {
  data.reset();
  cloudformation.reset();
  cloudformation.on(DescribeStacksCommand, { StackName: 'Ec2Led' }).resolves({
    Stacks: [
      {
        StackName: 'Ec2Led',
        StackId: STACK_ID,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: OUTPUTS,
      },
    ],
  });
});
afterEach(() => {
  data.reset();
  cloudformation.reset();
});

describe('ec2led device set: parsing', () => {
  it('reads VALUE as JSON when it parses, else as text, and merges every KEY=VALUE into one desired patch', () => {
    const argv = ['set', 'desk-pi', 'display.brightness=0.2', 'pins.web-1=0,3', 'colors.running=#00ff00'];
    argv.push('tagFilter={"key":"env","value":"prod"}', 'pins.web.prod=1,1', 'resyncMinutes=5');
    expect(parseDeviceArgs(argv, '/')).toEqual({
      kind: 'set',
      thingName: 'desk-pi',
      desired: {
        display: { brightness: 0.2 },
        pins: { 'web-1': '0,3', 'web.prod': '1,1' },
        colors: { running: '#00ff00' },
        tagFilter: { key: 'env', value: 'prod' },
        resyncMinutes: 5,
      },
      stackName: 'Ec2Led',
      region: undefined,
    });
  });

  it('sends null to remove a key, so the device config applies again', () => {
    expect(parseDeviceArgs(['set', 'desk-pi', 'pins.web-1=null', 'tagFilter=null'], '/')).toMatchObject({
      desired: { pins: { 'web-1': null }, tagFilter: null },
    });
  });

  it('refuses bad values with the config file text, before anything is sent', () => {
    const message = usageFailure([
      'set',
      'desk-pi',
      'display.brightness=2',
      'colors.running=green',
      'resyncMinutes=often',
      'mqtt.endpoint=evil.example.com',
      'brightness',
    ]);
    expect(message).toContain('display.brightness 2 is invalid: use a number from 0 (off) to 1');
    expect(message).toMatch(/colors\.running = "green" is invalid: wrong format; use "#rrggbb"/);
    expect(message).toMatch(/resyncMinutes = "often" is invalid/);
    expect(message).toMatch(
      /mqtt\.endpoint cannot be set from the shadow \(settable: tagFilter, resyncMinutes, pins, colors/,
    );
    expect(message).toContain('"brightness" is not KEY=VALUE');
  });

  it('needs at least one KEY=VALUE, and takes no create or delete options', () => {
    expect(usageFailure(['set', 'desk-pi'])).toMatch(/device set needs KEY=VALUE/);
    expect(usageFailure(['set', 'desk-pi', 'resyncMinutes=5', '--board', 'none'])).toMatch(
      /takes no --board/,
    );
  });

  it('refuses desired settings that cannot fit the 8 KB shadow', () => {
    const pins = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`instance-name-${i}`, '1,1']));
    expect(usageFailure(['set', 'desk-pi', `pins=${JSON.stringify(pins)}`])).toMatch(
      /a shadow holds 8192 for desired and reported/,
    );
  });
});

describe('ec2led device set: UpdateThingShadow', () => {
  it("updates the desired state of the device's ec2led-settings shadow at the stack's data endpoint", async () => {
    // The SDK hands back a Uint8Array with string helpers, which setDesired does not use.
    const payload = new TextEncoder().encode(
      '{"version":4,"state":{}}',
    ) as UpdateThingShadowCommandOutput['payload'];
    data.on(UpdateThingShadowCommand).resolves({ payload });
    const { out, err, io } = recordingIo();
    const code = await deviceMain(['set', 'desk-pi', 'display.brightness=0.2', 'pins.web=0,3'], io);
    expect(code).toBe(0);
    const calls = data.commandCalls(UpdateThingShadowCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.thingName).toBe('desk-pi');
    expect(input?.shadowName).toBe('ec2led-settings');
    expect(JSON.parse(new TextDecoder().decode(input?.payload as Uint8Array))).toEqual({
      state: { desired: { display: { brightness: 0.2 }, pins: { web: '0,3' } } },
    });
    const client = calls[0]?.thisValue as IoTDataPlaneClient;
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('abc123-ats.iot.eu-west-1.amazonaws.com');
    expect(JSON.parse(out.join(''))).toEqual({
      thing: 'desk-pi',
      shadow: 'ec2led-settings',
      desired: { display: { brightness: 0.2 }, pins: { web: '0,3' } },
      version: 4,
    });
    expect(err.join('')).toMatch(/reported\.errors: aws iot-data get-thing-shadow --thing-name desk-pi/);
  });

  it('names the fix for an unknown thing and for a full shadow', async () => {
    data
      .on(UpdateThingShadowCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'No thing named desk-pi', $metadata: {} }))
      .rejectsOnce(
        new RequestEntityTooLargeException({
          message: 'The payload exceeds the maximum size allowed',
          $metadata: {},
        }),
      );
    const first = recordingIo();
    expect(await deviceMain(['set', 'desk-pi', 'resyncMinutes=5'], first.io)).toBe(1);
    expect(first.err.join('')).toMatch(/thing desk-pi not found: check the name with `ec2led device list`/);
    const second = recordingIo();
    expect(await deviceMain(['set', 'desk-pi', 'resyncMinutes=5'], second.io)).toBe(1);
    expect(second.err.join('')).toMatch(
      /would exceed 8 KB of desired and reported state: remove desired entries you no longer need \(set them to null\)/,
    );
  });
});
