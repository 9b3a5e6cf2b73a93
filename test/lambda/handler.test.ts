import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../lambda/handler.ts';
import type { LogLevel } from '../../lambda/log.ts';
import { iotDataPublisher } from '../../lambda/publish.ts';
import { decodeAlarmMessage } from '../../shared/alarm-message.ts';
import { decodeDeployMessage } from '../../shared/deploy-message.ts';
import { decodeMessage } from '../../shared/message.ts';
import { decodeNoticeMessage } from '../../shared/notice-message.ts';
import { fixture } from '../fixtures/load.ts';

function recordingLog() {
  const lines: Array<{ level: LogLevel; msg: string; context?: Record<string, unknown> }> = [];
  return {
    lines,
    log: (level: LogLevel, msg: string, context?: Record<string, unknown>) =>
      lines.push({ level, msg, context }),
  };
}

const iotMock = mockClient(IoTDataPlaneClient);
afterEach(() => iotMock.reset());

function mockedHandler() {
  const { lines, log } = recordingLog();
  const client = new IoTDataPlaneClient({ region: 'us-east-1' });
  const publisher = iotDataPublisher('abc123-ats.iot.us-east-1.amazonaws.com', client);
  return { lines, handler: createHandler({ publisher: () => publisher, topicPrefix: 'ec2led', log }) };
}

describe('handler', () => {
  it('publishes a running event with QoS 1 to the instance topic', async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler, lines } = mockedHandler();
    await handler(fixture('eventbridge', 'running'));

    const calls = iotMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.topic).toBe('ec2led/v1/123456789012/us-east-1/i-1234567890abcdef0');
    expect(input?.qos).toBe(1);
    const decoded = decodeMessage(input?.payload as Uint8Array);
    expect(decoded.ok && decoded.message.state).toBe('running');
    expect(lines.map((line) => line.level)).toEqual(['info']);
  });

  it('publishes a forwarded event under the instance region', async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler } = mockedHandler();
    await handler(fixture('eventbridge', 'forwarded-rewritten-envelope'));
    expect(iotMock.commandCalls(PublishCommand)[0]?.args[0].input.topic).toBe(
      'ec2led/v1/123456789012/eu-west-1/i-0a1b2c3d4e5f60718',
    );
  });

  it('drops an invalid event with one warn line naming the event id, without publishing', async () => {
    const { handler, lines } = mockedHandler();
    await expect(handler(fixture('eventbridge/malformed', 'unknown-state'))).resolves.toBeUndefined();
    expect(iotMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'dropped invalid event',
        context: {
          eventId: 'c2d6e1f0-3b8a-4a51-9f0e-2a7b9c1d4e5f',
          reason: expect.stringMatching(/^detail\.state "rebooting" is not an EC2 state \(pending, /),
        },
      },
    ]);
  });

  it('throws when the publish fails, so Lambda retries and the on-failure destination take it', async () => {
    iotMock.on(PublishCommand).rejects(new Error('ThrottlingException'));
    const { handler, lines } = mockedHandler();
    await expect(handler(fixture('eventbridge', 'stopped'))).rejects.toThrow('ThrottlingException');
    expect(lines.map((line) => line.level)).toEqual(['error']);
  });

  it('rejects a bad topic prefix when the handler is created', () => {
    expect(() =>
      createHandler({ publisher: () => ({ publish: async () => {} }), topicPrefix: 'a/b', log: () => {} }),
    ).toThrow(/topic prefix "a\/b"/);
  });
});

describe('handler, alarms', () => {
  it('publishes an alarm state change with QoS 1 to the alarm topic of its account and region', async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler, lines } = mockedHandler();
    await handler(fixture('cloudwatch', 'single-metric-alarm'));

    const input = iotMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.topic).toBe('ec2led/alarm/v1/123456789012/us-east-1');
    expect(input?.qos).toBe(1);
    const decoded = decodeAlarmMessage(input?.payload as Uint8Array);
    expect(decoded.ok && [decoded.message.name, decoded.message.state]).toEqual([
      'ServerCpuTooHigh',
      'ALARM',
    ]);
    // The current instance decoder refuses what was published, so an old agent would drop it.
    expect(decodeMessage(input?.payload as Uint8Array).ok).toBe(false);
    expect(lines.map((line) => [line.level, line.context?.state])).toEqual([['info', 'ALARM']]);
  });

  it('drops an invalid alarm event with one warning and publishes nothing', async () => {
    const { handler, lines } = mockedHandler();
    const event = fixture('cloudwatch', 'single-metric-alarm') as Record<string, unknown>;
    await handler({ ...event, resources: [] });
    expect(iotMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'dropped invalid event',
        context: {
          eventId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
          reason: 'resources holds no CloudWatch alarm ARN',
        },
      },
    ]);
  });

  it('throws when the alarm publish fails, so Lambda retries', async () => {
    iotMock.on(PublishCommand).rejects(new Error('throttled'));
    const { handler } = mockedHandler();
    await expect(handler(fixture('cloudwatch', 'single-metric-alarm'))).rejects.toThrow('throttled');
  });
});

describe('handler: instance notices', () => {
  it("publishes a Spot warning as a notice message on the instance's own topic", async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler, lines } = mockedHandler();
    await handler(fixture('notices', 'spot-interruption'));
    const calls = iotMock.commandCalls(PublishCommand);
    expect(calls.map((call) => call.args[0].input.topic)).toEqual([
      'ec2led/v1/123456789012/us-east-2/i-1234567890abcdef0',
    ]);
    const decoded = decodeNoticeMessage(calls[0]?.args[0].input.payload as Uint8Array);
    expect(decoded.ok && [decoded.message.notice, decoded.message.action]).toEqual([
      'spot-interruption',
      'terminate',
    ]);
    expect(lines.map((line) => line.context?.state)).toEqual(['spot-interruption']);
  });

  it('drops a Health event for another service with one warning and publishes nothing', async () => {
    const { handler, lines } = mockedHandler();
    await handler(fixture('notices', 'health-other-service'));
    expect(iotMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'dropped invalid event']]);
  });
});

describe('handler, deploys', () => {
  it('publishes a pipeline execution change with QoS 1 to the deploy topic of its account and region', async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler } = mockedHandler();
    await handler(fixture('deploy', 'pipeline-failed'));
    await handler(fixture('deploy', 'ecs-completed'));
    const calls = iotMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => [input.topic, input.qos])).toEqual([
      ['ec2led/deploy/v1/123456789012/us-west-2', 1],
      ['ec2led/deploy/v1/111122223333/us-west-2', 1],
    ]);
    const decoded = calls.map((input) => decodeDeployMessage(input.payload));
    expect(decoded.map((d) => d.ok && d.message.state)).toEqual(['deploy-failed', 'deployed']);
  });

  it('skips a SUPERSEDED execution with an info line, and drops a malformed one with a warning', async () => {
    iotMock.on(PublishCommand).resolves({});
    const { handler, lines } = mockedHandler();
    const event = fixture('deploy', 'pipeline-started') as Record<string, unknown>;
    await handler({ ...event, detail: { ...(event.detail as object), state: 'SUPERSEDED' } });
    await handler({ ...event, resources: [] });
    expect(iotMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['info', 'skipped event'],
      ['warn', 'dropped invalid event'],
    ]);
  });
});
