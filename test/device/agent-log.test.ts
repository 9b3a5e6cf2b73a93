import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../device/base/log.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${'x9Y'.repeat(40)}`;
const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

function capture(format: 'json' | 'pretty' = 'json', level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const log = createLogger({
    format,
    level,
    write: (line) => lines.push(line),
    now: () => Date.UTC(2026, 10, 26),
  });
  return { log, lines };
}

describe('log lines', () => {
  it('writes one JSON object a line with level, msg, time and context', () => {
    const { log, lines } = capture();
    log.child({ source: 'mqtt' }).info('connected', { first: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'info',
      msg: 'connected',
      time: '2026-11-26T00:00:00.000Z',
      context: { source: 'mqtt', first: true },
    });
  });

  it('drops lines below the configured level', () => {
    const { log, lines } = capture('json', 'info');
    log.debug('every frame');
    log.warn('throttled');
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(['warn']);
  });

  it('prints a pretty line with the time, the level and key=value context for a terminal', () => {
    const { log, lines } = capture('pretty');
    log.info('synced', { instances: 12, region: 'eu-west-1', note: 'two words' });
    expect(lines[0]).toBe('00:00:00.000 INFO  synced  instances=12 region=eu-west-1 note="two words"\n');
  });

  it('escapes bidi overrides, C1 and other controls in a JSON line, losslessly', () => {
    const { log, lines } = capture();
    const topic =
      'ec2led/v1/123456789012/eu-west-1/i-0\u202Efdcba\u2066x\u2069\u0085\u009b31m\u007f\u200b\u2028\u{e0041}';
    log.warn('dropped a message', {
      topic,
      why: 'name \u202Aa\u202B\u202C\u202D\u2067\u2068 \u0080\u009f\u001b',
    });
    const line = lines[0] as string;
    expect(line).toMatch(/^[\x20-\x7e]+\n$/);
    expect(line).toContain('\\u202e');
    expect(JSON.parse(line).context).toEqual({
      topic,
      why: 'name \u202Aa\u202B\u202C\u202D\u2067\u2068 \u0080\u009f\u001b',
    });
  });

  it('strips terminal escape sequences from a pretty line', () => {
    const { log, lines } = capture('pretty');
    log.warn('dropped message', { name: 'evil\u001b]52;c;AAAA\u0007name' });
    expect(lines[0]).not.toContain('\u001b');
  });
});

describe('the redaction guard', () => {
  it('never writes credentials passed under their usual keys', () => {
    const { log, lines } = capture();
    log.info('credentials refreshed', {
      credentials: { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN },
      expiration: '2026-11-26T01:00:00Z',
    });
    const line = lines.join('');
    for (const secret of ['ASIAIOSFODNN7EXAMPLE', SECRET, TOKEN]) expect(line).not.toContain(secret);
    expect(line).toContain('2026-11-26T01:00:00Z');
  });

  it('removes key material and keys that slipped into messages, errors and nested values', () => {
    const { log, lines } = capture('pretty');
    const error = new Error(`request failed with ${SECRET}`, { cause: new Error(PEM) });
    log.error(`got AKIAIOSFODNN7EXAMPLE and ${TOKEN}`, { error, nested: { list: [PEM] } });
    const line = lines.join('');
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', SECRET, TOKEN, 'MIGHAgEAMBMG'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
    expect(line).toContain('request failed with');
  });

  it('keeps ordinary values: ids, paths, regions and event ids', () => {
    const value = {
      instanceId: 'i-0123456789abcdef0',
      cert: '/etc/ec2led/device.pem.crt',
      region: 'ap-southeast-2',
      event: '7bf73129-1428-4cd3-a780-95db273d1602',
      path: '/var/lib/ec2led/some/long/lowercase/folder/name/slots.json',
    };
    expect(redact(value)).toEqual(value);
  });
});
