import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INSTANCE_STATES } from '../../shared/instance-state.ts';
import { decodeMessage, encodeMessage, MAX_MESSAGE_BYTES, type StateMessage } from '../../shared/message.ts';

const message: StateMessage = {
  v: 1,
  id: 'i-1234567890abcdef0',
  state: 'running',
  time: 1636666194000,
  region: 'us-east-1',
  account: '123456789012',
  event: '7bf73129-1428-4cd3-a780-95db273d1602',
};

function reasonOf(payload: string | Uint8Array | ArrayBuffer): string {
  const result = decodeMessage(payload);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.message)}`);
  return result.reason;
}

const withField = (key: string, value: unknown) => JSON.stringify({ ...message, [key]: value });

describe('wire message v1', () => {
  it('encodes compactly, in a fixed key order', () => {
    expect(encodeMessage(message)).toBe(
      '{"v":1,"id":"i-1234567890abcdef0","state":"running","time":1636666194000,' +
        '"region":"us-east-1","account":"123456789012","event":"7bf73129-1428-4cd3-a780-95db273d1602"}',
    );
  });

  it('round-trips from text, bytes and an ArrayBuffer', () => {
    const text = encodeMessage(message);
    const bytes = new TextEncoder().encode(text);
    for (const payload of [text, bytes, bytes.buffer]) {
      expect(decodeMessage(payload)).toEqual({ ok: true, message });
    }
  });

  it('accepts the short 8-digit instance ids of older instances', () => {
    expect(decodeMessage(withField('id', 'i-abcd1234')).ok).toBe(true);
  });

  it('refuses to encode a message it could not decode', () => {
    expect(() => encodeMessage({ ...message, state: 'rebooting' as 'running' })).toThrow(/state "rebooting"/);
  });

  it.each([
    ['not JSON', '{"v":1,', /not UTF-8 JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['a string', '"hello"', /not a JSON object/],
    ['an unknown state', withField('state', 'rebooting'), /state "rebooting" is not an EC2 state/],
    ['a state of the wrong type', withField('state', 1), /state 1/],
    ['an instance id with upper case', withField('id', 'i-1234567890ABCDEF0'), /id "i-1234567890ABCDEF0"/],
    ['an instance id of 10 digits', withField('id', 'i-1234567890'), /8 or 17 hex digits/],
    ['an instance id without i-', withField('id', 'x-12345678'), /8 or 17 hex digits/],
    ['a time as a string', withField('time', '1636666194000'), /time "1636666194000"/],
    ['a negative time', withField('time', -1), /time -1/],
    ['a fractional time', withField('time', 1.5), /time 1.5/],
    ['a bad region', withField('region', 'mars-1'), /region "mars-1"/],
    ['an account of 11 digits', withField('account', '12345678901'), /account "12345678901"/],
    ['an account as a number', withField('account', 123456789012), /account 123456789012/],
    ['an event id with spaces', withField('event', 'a b'), /event "a b"/],
    ['version 2', withField('v', 2), /version 2 is not 1/],
    ['nesting', withField('state', { name: 'running' }), /^state \{"name":"running"\} is not an EC2 state/],
    ['nesting in an extra key', withField('tags', ['a']), /unexpected key "tags"/],
    ['an unknown key', withField('extra', 1), /unexpected key "extra"/],
    ['a prototype key', '{"__proto__":1}', /unexpected key "__proto__"/],
  ])('rejects %s', (_name, payload, reason) => {
    expect(reasonOf(payload)).toMatch(reason);
  });

  it('rejects a missing key by name', () => {
    const { time: _time, ...rest } = message;
    expect(reasonOf(JSON.stringify(rest))).toBe('time is missing, expected epoch milliseconds');
  });

  it('rejects a payload over 4 KB before parsing it', () => {
    const padded = `${encodeMessage(message).slice(0, -1)},"pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`;
    expect(reasonOf(padded)).toMatch(/exceeds 4096/);
  });

  it('rejects invalid UTF-8', () => {
    expect(reasonOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatch(/not UTF-8 JSON/);
  });

  it('rejects an empty payload in every shape aws-crt can hand over, detached buffers included', () => {
    const detached = new ArrayBuffer(0);
    structuredClone(detached, { transfer: [detached] });
    const emptyShapes = ['', new ArrayBuffer(0), detached, new SharedArrayBuffer(0), new Uint8Array(0)];
    for (const payload of emptyShapes) expect(reasonOf(payload as ArrayBuffer)).toBe('payload is empty');
    const full = new ArrayBuffer(16);
    const view = new Uint8Array(full, 4, 8);
    structuredClone(full, { transfer: [full] });
    expect(reasonOf(view)).toBe('payload is empty');
  });

  it('decodes from a shared buffer and from any view, without reading past the view', () => {
    const bytes = new TextEncoder().encode(`xx${encodeMessage(message)}yy`);
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    const inner = { offset: 2, length: bytes.byteLength - 4 };
    const exact = new SharedArrayBuffer(inner.length);
    new Uint8Array(exact).set(bytes.subarray(2, -2));
    expect(decodeMessage(exact)).toEqual({ ok: true, message });
    expect(decodeMessage(new DataView(shared, inner.offset, inner.length))).toEqual({ ok: true, message });
    expect(decodeMessage(new Uint8Array(bytes.buffer, inner.offset, inner.length))).toEqual({
      ok: true,
      message,
    });
  });

  it('rejects what is neither text nor bytes instead of throwing', () => {
    const throwing = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('hostile');
        },
      },
    );
    for (const payload of [undefined, null, 42, {}, [1, 2], throwing]) {
      expect(decodeMessage(payload).ok).toBe(false);
    }
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 5000 })), (payload) => {
        const result = decodeMessage(payload);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes whatever it encodes (property)', () => {
    const messageArb = fc.record({
      v: fc.constant(1 as const),
      id: fc.oneof(fc.stringMatching(/^i-[0-9a-f]{8}$/), fc.stringMatching(/^i-[0-9a-f]{17}$/)),
      state: fc.constantFrom(...INSTANCE_STATES),
      time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1'),
      account: fc.stringMatching(/^\d{12}$/),
      event: fc.uuid(),
    });
    fc.assert(
      fc.property(messageArb, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual({ ok: true, message: m });
      }),
      { numRuns: 1000 },
    );
  });
});
