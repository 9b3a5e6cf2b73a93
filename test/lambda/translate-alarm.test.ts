import { describe, expect, it } from 'vitest';
import { parseAlarmTimestamp, translateAlarmEvent } from '../../lambda/translate-alarm.ts';
import { fixture } from '../fixtures/load.ts';

type Event = { detail: Record<string, unknown> & { state: Record<string, unknown> }; resources: string[] };
const real = () => fixture('cloudwatch', 'single-metric-alarm') as Event;

describe('translateAlarmEvent', () => {
  it('translates the documented single-metric alarm event into alarm message v1', () => {
    expect(translateAlarmEvent(real())).toEqual({
      ok: true,
      message: {
        v: 1,
        kind: 'alarm',
        name: 'ServerCpuTooHigh',
        state: 'ALARM',
        time: Date.UTC(2019, 9, 2, 17, 4, 40, 989),
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
        event: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      },
    });
  });

  it('translates a composite alarm the same way', () => {
    const result = translateAlarmEvent(fixture('cloudwatch', 'composite-alarm'));
    expect(result.ok && [result.message.name, result.message.state, result.message.time]).toEqual([
      'ServiceAggregatedAlarm',
      'ALARM',
      Date.UTC(2022, 6, 22, 15, 57, 45, 394),
    ]);
  });

  it('keeps a health-check alarm forwarded from us-east-1 under its own ARN, tags left behind', () => {
    const result = translateAlarmEvent(fixture('cloudwatch', 'forwarded-health-check-alarm'));
    expect(result.ok && result.message).toMatchObject({
      name: 'ec2led-check-www.example.com',
      arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ec2led-check-www.example.com',
    });
    expect(JSON.stringify(result)).not.toContain('alarmTags');
  });

  it.each(['OK', 'INSUFFICIENT_DATA'])('translates the %s state', (value) => {
    const event = real();
    const result = translateAlarmEvent({
      ...event,
      detail: { ...event.detail, state: { ...event.detail.state, value } },
    });
    expect(result.ok && result.message.state).toBe(value);
  });

  it('takes the envelope time when the state has no timestamp', () => {
    const event = real();
    const { timestamp: _, ...state } = event.detail.state;
    const result = translateAlarmEvent({ ...event, detail: { ...event.detail, state } });
    expect(result.ok && result.message.time).toBe(Date.UTC(2019, 9, 2, 17, 4, 40));
  });

  it.each([
    [
      'an unknown state',
      (e: Event) => ({ ...e, detail: { ...e.detail, state: { ...e.detail.state, value: 'FIRING' } } }),
      /detail.state.value "FIRING" is not an alarm state/,
    ],
    [
      'a state that is text',
      (e: Event) => ({ ...e, detail: { ...e.detail, state: 'ALARM' } }),
      /detail.state "ALARM" is not an object/,
    ],
    [
      'a bad timestamp',
      (e: Event) => ({ ...e, detail: { ...e.detail, state: { ...e.detail.state, timestamp: 'yesterday' } } }),
      /detail.state.timestamp "yesterday"/,
    ],
    [
      'no alarm ARN',
      (e: Event) => ({ ...e, resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234'] }),
      /no CloudWatch alarm ARN/,
    ],
    [
      'an ARN of another alarm',
      (e: Event) => ({ ...e, resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:Other'] }),
      /resources names alarm "Other", detail names "ServerCpuTooHigh"/,
    ],
    [
      'no alarm name',
      (e: Event) => ({ ...e, detail: { ...e.detail, alarmName: undefined } }),
      /detail.alarmName is missing/,
    ],
    ['an EC2 source', (e: Event) => ({ ...e, source: 'aws.ec2' }), /source "aws.ec2" is not aws.cloudwatch/],
    [
      'another CloudWatch event',
      (e: Event) => ({ ...e, 'detail-type': 'CloudWatch Alarm Configuration Change' }),
      /detail-type "CloudWatch Alarm Configuration Change"/,
    ],
  ])('rejects %s, naming the value', (_what, change, reason) => {
    const result = translateAlarmEvent(change(real()));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(!result.ok && result.eventId).toBe('c4c1c1c9-6542-e61b-6ef0-8c4d36933a92');
  });

  it.each([null, undefined, 42, 'event', [], {}])('rejects %s without throwing', (value) => {
    expect(translateAlarmEvent(value).ok).toBe(false);
  });
});

describe('parseAlarmTimestamp', () => {
  it.each([
    ['2019-10-02T17:04:40.989+0000', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
    ['2019-10-02T19:04:40.989+0200', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
    ['2019-10-02T17:04:40Z', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2019-10-02T17:04:40.989+00:00', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
  ])('reads %s', (text, ms) => {
    expect(parseAlarmTimestamp(text)).toBe(ms);
  });

  it.each(['', '2019-10-02', '2019-13-02T17:04:40Z', 'T17:04:40Z', 1570035880989])('refuses %s', (value) => {
    expect(parseAlarmTimestamp(value)).toBeUndefined();
  });
});
