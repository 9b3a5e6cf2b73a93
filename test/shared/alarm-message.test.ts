import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlarmMessage,
  decodeAlarmMessage,
  encodeAlarmMessage,
  MAX_ALARM_NAME,
} from '../../shared/alarm-message.ts';
import { decodeMessage, MAX_MESSAGE_BYTES } from '../../shared/message.ts';
import {
  alarmFilterArn,
  alarmTopic,
  alarmTopicsArn,
  parseAlarmTopic,
  parseInstanceTopic,
  subscriptionFilter,
  subscriptionFilters,
} from '../../shared/topics.ts';

const message: AlarmMessage = {
  v: 1,
  kind: 'alarm',
  name: 'ServerCpuTooHigh',
  state: 'ALARM',
  time: 1570036848551,
  arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
  event: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
};
const withField = (key: string, value: unknown) => JSON.stringify({ ...message, [key]: value });

/** MQTT 3.1.1 section 4.7 topic matching: `+` one level, `#` the rest (including the parent level). */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('alarm message v1', () => {
  it('encodes compactly, in a fixed key order', () => {
    expect(encodeAlarmMessage(message)).toBe(
      '{"v":1,"kind":"alarm","name":"ServerCpuTooHigh","state":"ALARM","time":1570036848551,' +
        '"arn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh",' +
        '"event":"c4c1c1c9-6542-e61b-6ef0-8c4d36933a92"}',
    );
  });

  it('round-trips from text, bytes and an ArrayBuffer', () => {
    const bytes = new TextEncoder().encode(encodeAlarmMessage(message));
    for (const payload of [encodeAlarmMessage(message), bytes, bytes.buffer]) {
      expect(decodeAlarmMessage(payload)).toEqual({ ok: true, message });
    }
  });

  it('carries names with slashes, spaces and MQTT wildcards, which is why the name is no topic level', () => {
    const name = 'prod/web #1 + api';
    const odd = { ...message, name, arn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}` };
    expect(decodeAlarmMessage(encodeAlarmMessage(odd))).toEqual({ ok: true, message: odd });
  });

  it('stays under the payload limit with the longest name of the widest characters', () => {
    const name = '"'.repeat(MAX_ALARM_NAME);
    const long = {
      ...message,
      name,
      arn: `arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:${name}`,
    };
    const bytes = new TextEncoder().encode(encodeAlarmMessage(long)).byteLength;
    expect(bytes).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(decodeAlarmMessage(encodeAlarmMessage(long)).ok).toBe(true);
  });

  it.each([
    ['an EC2 state', withField('state', 'running'), /state "running" is not an alarm state/],
    ['another kind', withField('kind', 'instance'), /kind "instance"/],
    ['version 2', withField('v', 2), /version 2 is not 1/],
    ['a name that is not the ARN’s', withField('name', 'Other'), /name "Other" is not the ARN's/],
    [
      'an EC2 ARN',
      withField('arn', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234'),
      /arn .* not a CloudWatch alarm ARN/,
    ],
    ['an empty name', withField('name', ''), /name "" is not 1-255/],
    ['a name with a newline', withField('name', 'a\nb'), /printable/],
    ['a time in seconds as text', withField('time', '2019-10-02'), /time "2019-10-02"/],
    ['an extra key', JSON.stringify({ ...message, region: 'us-east-1' }), /unexpected key "region"/],
    [
      'a missing key',
      JSON.stringify({ ...message, event: undefined }),
      /^event is missing, expected an event id$/,
    ],
    ['a nested key', withField('state', { value: 'OK' }), /^state \{"value":"OK"\} is not an alarm state/],
    ['not JSON', '{"v":1', /not UTF-8 JSON/],
    ['an empty payload', new ArrayBuffer(0), /payload is empty/],
  ])('rejects %s', (_what, payload, reason) => {
    const result = decodeAlarmMessage(payload);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('refuses to encode a message it could not decode', () => {
    expect(() => encodeAlarmMessage({ ...message, state: 'BROKEN' as 'OK' })).toThrow(/state "BROKEN"/);
  });

  it('never throws, whatever the payload', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (p) => {
          const result = decodeAlarmMessage(p);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('agents that know only instances drop alarm messages', () => {
  const topic = alarmTopic('ec2led', { account: '123456789012', region: 'us-east-1' });

  it('puts alarms on their own tree', () => {
    expect(topic).toBe('ec2led/alarm/v1/123456789012/us-east-1');
    expect(parseAlarmTopic('ec2led', topic)).toEqual({ account: '123456789012', region: 'us-east-1' });
    expect(parseAlarmTopic('ec2led', 'ec2led/v1/123456789012/us-east-1/i-0abc1234')).toBeUndefined();
  });

  it('is matched by none of the filters the current agent subscribes to, in any of their three shapes', () => {
    const perPair = subscriptionFilters('ec2led', ['123456789012'], ['us-east-1']);
    const perAccount = subscriptionFilters(
      'ec2led',
      ['123456789012'],
      Array.from({ length: 51 }, (_, i) => `us-east-${i + 1}`),
    );
    const everything = subscriptionFilters(
      'ec2led',
      Array.from({ length: 51 }, (_, i) => String(100000000000 + i)),
      ['us-east-1'],
    );
    expect(everything).toEqual([subscriptionFilter('ec2led')]);
    for (const filter of [...perPair, ...perAccount, ...everything]) {
      expect(matches(filter, topic), filter).toBe(false);
    }
    // The matcher itself sees instance topics, so the false above is not vacuous.
    expect(matches(perPair[0] as string, 'ec2led/v1/123456789012/us-east-1/i-0abc1234')).toBe(true);
  });

  it('is refused by the current topic parser and the current decodeMessage, should it arrive anyway', () => {
    expect(parseInstanceTopic('ec2led', topic)).toBeUndefined();
    const result = decodeMessage(encodeAlarmMessage(message));
    expect(result).toEqual({ ok: false, reason: 'unexpected key "kind"' });
  });

  it('gives policies ARNs for the alarm tree apart from the instance tree', () => {
    const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
    expect(alarmTopicsArn(scope, 'ec2led')).toBe(
      'arn:aws:iot:us-east-1:123456789012:topic/ec2led/alarm/v1/*',
    );
    expect(alarmFilterArn(scope, 'ec2led')).toBe(
      'arn:aws:iot:us-east-1:123456789012:topicfilter/ec2led/alarm/v1/*',
    );
  });
});

describe('alarm message schema, properties and hostile payloads', () => {
  const alarmArb = fc
    .record({
      name: fc
        .string({ minLength: 1, maxLength: MAX_ALARM_NAME })
        .filter((n) => ![...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)),
      state: fc.constantFrom('OK' as const, 'ALARM' as const, 'INSUFFICIENT_DATA' as const),
      time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1'),
      account: fc.stringMatching(/^\d{12}$/),
      event: fc.uuid(),
    })
    .map(
      ({ name, state, time, partition, region, account, event }): AlarmMessage => ({
        v: 1,
        kind: 'alarm',
        name,
        state,
        time,
        arn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`,
        event,
      }),
    );

  it('decodes whatever it encodes, and encodes a decoded message to the same bytes (property)', () => {
    fc.assert(
      fc.property(alarmArb, (m) => {
        const text = encodeAlarmMessage(m);
        const decoded = decodeAlarmMessage(new TextEncoder().encode(text));
        expect(decoded).toEqual({ ok: true, message: m });
        expect(decoded.ok && encodeAlarmMessage(decoded.message)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a text payload over 4 KB before parsing it, as decodeMessage does', () => {
    const padded = `${encodeAlarmMessage(message).slice(0, -1)},"pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`;
    expect(decodeAlarmMessage(padded)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^payload of \d+ bytes exceeds 4096$/),
    });
  });

  it.each([
    [
      'a __proto__ key',
      `{"__proto__":{"v":1},${encodeAlarmMessage(message).slice(1)}`,
      /^unexpected key "__proto__"$/,
    ],
    ['a constructor key', withField('constructor', 'x'), /^unexpected key "constructor"$/],
    ['a name of 300 characters', withField('name', 'n'.repeat(300)), /^name "n{56}\.\.\. is not 1-255/],
    ['a time as a boolean', withField('time', true), /^time true is not epoch milliseconds$/],
    ['a time past the safe integers', withField('time', 2 ** 53), /^time 9007199254740992 is not epoch/],
    ['an array for a state', withField('state', ['OK']), /^state \["OK"\] is not an alarm state/],
    ['null for the event', withField('event', null), /^event null is not an event id$/],
  ])('refuses %s, naming the field', (_what, payload, reason) => {
    const result = decodeAlarmMessage(payload);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});
