import { describe, expect, it } from 'vitest';
import { healthNoticeCode, translateNoticeEvent } from '../../lambda/translate-notice.ts';
import { decodeMessage } from '../../shared/message.ts';
import { decodeNoticeMessage, encodeNoticeMessage } from '../../shared/notice-message.ts';
import { fixture } from '../fixtures/load.ts';

const T = Date.parse('2026-12-07T14:00:00Z');

describe('translateNoticeEvent', () => {
  it("translates AWS's Spot interruption sample into an urgent notice due two minutes later", () => {
    const result = translateNoticeEvent(fixture('notices', 'spot-interruption'));
    expect(result).toEqual({
      ok: true,
      skipped: 0,
      messages: [
        {
          v: 1,
          kind: 'notice',
          id: 'i-1234567890abcdef0',
          notice: 'spot-interruption',
          action: 'terminate',
          start: T + 120_000,
          end: T + 180_000,
          time: T,
          region: 'us-east-2',
          account: '123456789012',
          event: '12345678-1234-1234-1234-123456789012',
        },
      ],
    });
  });

  it("translates AWS's rebalance sample into a notice that shows for an hour", () => {
    const result = translateNoticeEvent(fixture('notices', 'rebalance-recommendation'));
    expect(result.ok && result.messages[0]).toMatchObject({
      notice: 'rebalance',
      action: '',
      start: T,
      end: T + 3_600_000,
    });
  });

  it('translates a Health scheduled reboot for the instances it names, with its window', () => {
    const result = translateNoticeEvent(fixture('notices', 'health-scheduled-reboot'));
    expect(result.ok && result.messages).toEqual([
      expect.objectContaining({
        id: 'i-abcd1111',
        notice: 'instance-reboot',
        start: Date.parse('2026-12-21T09:00:00Z'),
        end: Date.parse('2026-12-21T11:00:00Z'),
        region: 'us-east-1',
        account: '123456789012',
      }),
    ]);
  });

  it("ends a closed Health event's notice at the event's time", () => {
    const event = fixture('notices', 'health-scheduled-reboot') as { detail: Record<string, unknown> };
    event.detail.statusCode = 'closed';
    const result = translateNoticeEvent(event);
    expect(result.ok && result.messages[0]).toMatchObject({ start: T, end: T });
  });

  it("takes an organizational view's account from the entity and skips entities that are not instances", () => {
    const event = fixture('notices', 'health-scheduled-reboot') as { detail: Record<string, unknown> };
    event.detail.affectedEntities = [
      { entityValue: 'vol-0123' },
      { entityValue: 'i-0123456789abcdef0', awsAccountId: '210987654321' },
    ];
    const result = translateNoticeEvent(event);
    expect(result.ok && result.messages.map((m) => [m.id, m.account])).toEqual([
      ['i-0123456789abcdef0', '210987654321'],
    ]);
  });

  it('publishes at most 100 instances of one Health event and counts the rest', () => {
    const event = fixture('notices', 'health-scheduled-reboot') as { detail: Record<string, unknown> };
    event.detail.affectedEntities = Array.from({ length: 130 }, (_, i) => ({
      entityValue: `i-${i.toString(16).padStart(8, '0')}`,
    }));
    const result = translateNoticeEvent(event);
    expect(result.ok && [result.messages.length, result.skipped]).toEqual([100, 30]);
  });

  it('refuses a Health event for another service, naming the field', () => {
    const result = translateNoticeEvent(fixture('notices', 'health-other-service'));
    expect(result).toMatchObject({ ok: false, reason: 'detail.service "RDS" is not EC2' });
  });

  it.each([
    ['no detail', { id: 'e', time: '2026-12-07T14:00:00Z', source: 'aws.ec2' }],
    ['a bad time', { id: 'e', time: 'yyyy-mm-ddThh:mm:ssZ', detail: {} }],
    [
      'a bad action',
      {
        id: 'e',
        time: '2026-12-07T14:00:00Z',
        source: 'aws.ec2',
        'detail-type': 'EC2 Spot Instance Interruption Warning',
        region: 'us-east-1',
        account: '123456789012',
        detail: { 'instance-id': 'i-1234567890abcdef0', 'instance-action': 'action!' },
      },
    ],
    ['a string', 'event'],
  ])('refuses an event with %s without throwing', (_, event) => {
    expect(translateNoticeEvent(event).ok).toBe(false);
  });

  it('maps Health event type codes to the DescribeInstanceStatus codes', () => {
    expect(
      [
        'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED',
        'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
        'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        'AWS_EC2_INSTANCE_STOP_SCHEDULED',
        'AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED',
        'AWS_EC2_DEDICATED_HOST_SOMETHING',
      ].map(healthNoticeCode),
    ).toEqual([
      'instance-reboot',
      'system-reboot',
      'instance-retirement',
      'instance-stop',
      'system-maintenance',
      'scheduled-change',
    ]);
  });
});

describe('notice message v1', () => {
  const message = () => {
    const result = translateNoticeEvent(fixture('notices', 'spot-interruption'));
    if (!result.ok) throw new Error(result.reason);
    return result.messages[0] as NonNullable<(typeof result.messages)[0]>;
  };

  it('round-trips through encode and decode', () => {
    expect(decodeNoticeMessage(encodeNoticeMessage(message()))).toEqual({ ok: true, message: message() });
  });

  it('is dropped by the state-message decoder of agents built before it', () => {
    expect(decodeMessage(encodeNoticeMessage(message()))).toEqual({
      ok: false,
      reason: 'unexpected key "kind"',
    });
  });

  it.each([
    ['an end before its start', { end: 1 }, 'end 1 is before start'],
    ['an unknown code', { notice: 'meteor' }, 'notice "meteor" is not one of'],
    ['an extra key', { extra: 1 }, 'unexpected key "extra"'],
  ])('refuses %s', (_, change, reason) => {
    const result = decodeNoticeMessage(JSON.stringify({ ...message(), ...change }));
    expect(result.ok === false && result.reason).toContain(reason);
  });

  it('never throws on what is not a payload', () => {
    for (const payload of [undefined, null, 42, new ArrayBuffer(0), new Uint8Array([0xff]), '{', '[]']) {
      expect(decodeNoticeMessage(payload).ok).toBe(false);
    }
  });

  it('refuses to encode an invalid message', () => {
    expect(() => encodeNoticeMessage({ ...message(), start: -1 })).toThrow(/start -1/);
  });
});
