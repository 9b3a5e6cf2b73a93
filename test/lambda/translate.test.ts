import { describe, expect, it } from 'vitest';
import { translateEvent } from '../../lambda/translate.ts';
import { INSTANCE_STATES } from '../../shared/instance-state.ts';
import { fixture, fixtureNames } from '../fixtures/load.ts';

describe('translateEvent', () => {
  it.each(INSTANCE_STATES)('translates a real %s event into message v1', (state) => {
    const event = fixture('eventbridge', state) as { id: string; time: string };
    const result = translateEvent(event);
    expect(result).toEqual({
      ok: true,
      message: {
        v: 1,
        id: 'i-1234567890abcdef0',
        state,
        time: Date.parse(event.time),
        region: 'us-east-1',
        account: '123456789012',
        event: event.id,
      },
    });
  });

  it('keeps the region of an event forwarded from another region', () => {
    const result = translateEvent(fixture('eventbridge', 'forwarded-eu-west-1'));
    expect(result.ok && result.message.region).toBe('eu-west-1');
  });

  it("takes the instance's region from its ARN when the envelope names the home region", () => {
    const result = translateEvent(fixture('eventbridge', 'forwarded-rewritten-envelope'));
    expect(result.ok && [result.message.region, result.message.state]).toEqual(['eu-west-1', 'stopped']);
  });

  it('accepts an 8-digit instance id', () => {
    const result = translateEvent(fixture('eventbridge', 'short-instance-id'));
    expect(result.ok && result.message).toMatchObject({ id: 'i-abcd1111', region: 'ap-southeast-2' });
  });

  it('keeps whole-second event times in milliseconds', () => {
    const result = translateEvent(fixture('eventbridge', 'pending'));
    expect(result.ok && result.message.time).toBe(Date.UTC(2021, 10, 11, 21, 29, 54));
  });

  const expectations: Record<string, RegExp> = {
    'arn-names-other-instance': /resources names instance i-0fedcba9876543210/,
    'array-not-object': /not an object/,
    'bad-account': /account/,
    'bad-instance-id': /instance-id/,
    'bad-time': /time/,
    'missing-detail': /detail is missing, expected an object/,
    'missing-id': /no string id/,
    'nested-state': /detail.state/,
    'underscore-instance-id': /detail.instance-id/,
    'unknown-state': /detail.state/,
    'wrong-detail-type': /detail-type/,
    'wrong-source': /source/,
  };

  it('has an expectation for every malformed fixture', () => {
    expect(fixtureNames('eventbridge/malformed')).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))('rejects the malformed event %s', (name, reason) => {
    const result = translateEvent(fixture('eventbridge/malformed', name));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['unknown-state', 'detail.state "rebooting" is not an EC2 state (pending, running, '],
    ['wrong-detail-type', 'detail-type "EC2 Spot Instance Interruption Warning" is not '],
    ['wrong-source', 'source "aws.autoscaling" is not aws.ec2'],
  ])('names the offending value of %s in the reason', (name, reason) => {
    const result = translateEvent(fixture('eventbridge/malformed', name));
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('cuts a long offending value short', () => {
    const event = fixture('eventbridge', 'running') as { detail: Record<string, unknown> };
    const result = translateEvent({ ...event, detail: { ...event.detail, state: 'x'.repeat(500) } });
    expect(result.ok ? '' : result.reason).toMatch(/^detail\.state "x{56}\.\.\. is not an EC2 state/);
  });

  it('reports the event id of a rejected event, when it has one', () => {
    const result = translateEvent(fixture('eventbridge/malformed', 'unknown-state'));
    expect(result.ok ? undefined : result.eventId).toBe('c2d6e1f0-3b8a-4a51-9f0e-2a7b9c1d4e5f');
  });

  it.each([null, undefined, 42, 'event', [], () => 1])('rejects %s without throwing', (value) => {
    expect(translateEvent(value).ok).toBe(false);
  });
});
