/**
 * The EventBridge event schemas against every real payload in test/fixtures, and against hostile
 * ones: extra keys (AWS adds fields), `__proto__`, huge strings, wrong types.
 */
import { describe, expect, it } from 'vitest';
import { ec2StateChangeSchema, translateEvent } from '../../lambda/translate.ts';
import { alarmStateChangeSchema, translateAlarmEvent } from '../../lambda/translate-alarm.ts';
import { check } from '../../shared/schema.ts';
import { fixture, fixtureNames } from '../fixtures/load.ts';

type Event = Record<string, unknown> & { detail: Record<string, unknown> };
const running = () => fixture('eventbridge', 'running') as Event;

describe('ec2StateChangeSchema', () => {
  it.each(fixtureNames('eventbridge'))('takes the real event %s', (name) => {
    expect(check(ec2StateChangeSchema, fixture('eventbridge', name), 'event').ok).toBe(true);
    expect(translateEvent(fixture('eventbridge', name)).ok).toBe(true);
  });

  it.each(fixtureNames('eventbridge/malformed'))('refuses the malformed event %s with a reason', (name) => {
    const result = translateEvent(fixture('eventbridge/malformed', name));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason.length).toBeLessThan(200);
  });

  it('refuses another EC2 event by its detail-type', () => {
    const result = translateEvent(fixture('eventbridge/other', 'spot-interruption-warning'));
    expect(!result.ok && result.reason).toMatch(
      /^detail-type "EC2 Spot Instance Interruption Warning" is not /,
    );
  });

  it('ignores keys AWS may add, at the top and in the detail, and keeps none of them', () => {
    const event = { ...running(), 'new-field': { a: 1 }, detail: { ...running().detail, 'new-detail': [1] } };
    const parsed = check(ec2StateChangeSchema, event, 'event');
    expect(parsed.ok && Object.keys(parsed.value)).not.toContain('new-field');
    expect(parsed.ok && Object.keys(parsed.value.detail)).toEqual(['instance-id', 'state']);
  });

  it('is not fooled by __proto__ keys: an inherited detail or state counts as missing', () => {
    const text = JSON.stringify({ ...running(), detail: undefined }).replace(
      '{',
      '{"__proto__":{"detail":{"instance-id":"i-1234567890abcdef0","state":"running"}},',
    );
    const result = translateEvent(JSON.parse(text));
    expect(!result.ok && result.reason).toBe('detail is missing, expected an object');
    const inDetail = JSON.stringify(running()).replace(
      '"detail":{',
      '"detail":{"__proto__":{"state":"stopped"},',
    );
    const parsed = translateEvent(JSON.parse(inDetail));
    expect(parsed.ok && parsed.message.state).toBe('running');
  });

  it.each([
    [
      'a huge state',
      (e: Event) => ({ ...e, detail: { ...e.detail, state: 'r'.repeat(1_000_000) } }),
      /^detail\.state "r{56}\.\.\. is not/,
    ],
    [
      'a numeric instance id',
      (e: Event) => ({ ...e, detail: { ...e.detail, 'instance-id': 42 } }),
      /^detail\.instance-id 42 is not/,
    ],
    ['a detail array', (e: Event) => ({ ...e, detail: [e.detail] }), /^detail \[\{.*is not an object$/],
    [
      'a time number',
      (e: Event) => ({ ...e, time: 1636666209000 }),
      /^time 1636666209000 is not an ISO-8601 UTC time$/,
    ],
    [
      'a date that does not exist',
      (e: Event) => ({ ...e, time: '2021-13-45T99:00:00Z' }),
      /^time 2021-13-45T99:00:00Z is not a valid date$/,
    ],
    [
      'resources as text',
      (e: Event) => ({ ...e, resources: 'arn:aws:ec2' }),
      /^resources "arn:aws:ec2" is not an array/,
    ],
    [
      '10,000 resources',
      (e: Event) => ({ ...e, resources: Array(10_000).fill('x') }),
      /^resources \[.* is not an array of at most 100 ARNs$/,
    ],
    [
      'a resource naming a huge instance id (not an instance ARN, so the envelope region holds)',
      (e: Event) => ({
        ...e,
        region: 'mars',
        resources: [`arn:aws:ec2:eu-west-1:123456789012:instance/i-${'f'.repeat(1_000_000)}`],
      }),
      /^region "mars" is not an AWS region$/,
    ],
    [
      'a region of the wrong type',
      (e: Event) => ({ ...e, region: ['us-east-1'], resources: [] }),
      /^region \["us-east-1"\] is not an AWS region$/,
    ],
  ])('refuses %s, naming the field and the value', (_what, change, reason) => {
    const result = translateEvent(change(running()));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(!result.ok && result.eventId).toBe('c2d6e1f0-3b8a-4a51-9f0e-2a7b9c1d4e5f');
  });
});

describe('alarmStateChangeSchema', () => {
  it.each(fixtureNames('cloudwatch'))('takes the real event %s', (name) => {
    expect(check(alarmStateChangeSchema, fixture('cloudwatch', name), 'event').ok).toBe(true);
    expect(translateAlarmEvent(fixture('cloudwatch', name)).ok).toBe(true);
  });

  it('refuses an EC2 event, and an alarm event handed to the EC2 translation, by source', () => {
    expect(translateAlarmEvent(running())).toMatchObject({
      ok: false,
      reason: 'source "aws.ec2" is not aws.cloudwatch',
    });
    expect(translateEvent(fixture('cloudwatch', 'single-metric-alarm'))).toMatchObject({
      ok: false,
      reason: 'source "aws.cloudwatch" is not aws.ec2',
    });
  });

  it('keeps only the alarm name, state and times: reasons and metrics never reach the result', () => {
    const parsed = check(alarmStateChangeSchema, fixture('cloudwatch', 'single-metric-alarm'), 'event');
    expect(parsed.ok && parsed.value.detail).toEqual({
      alarmName: 'ServerCpuTooHigh',
      state: { value: 'ALARM', timestamp: '2019-10-02T17:04:40.989+0000' },
    });
  });

  it('refuses a huge alarm name in one short sentence', () => {
    const event = fixture('cloudwatch', 'single-metric-alarm') as Event;
    const result = translateAlarmEvent({
      ...event,
      detail: { ...event.detail, alarmName: 'a'.repeat(1_000_000) },
    });
    expect(!result.ok && result.reason.length).toBeLessThan(200);
  });
});
