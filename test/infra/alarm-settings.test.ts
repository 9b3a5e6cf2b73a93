import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../infra/settings.ts';

const read = (values: Record<string, unknown>) => readSettings((key) => values[key], {});

describe('alarm selection from context', () => {
  it('selects nothing by default', () => {
    expect(read({}).alarms).toBeUndefined();
  });

  it('reads name prefixes as a comma list or a JSON array, once each', () => {
    expect(read({ alarmPrefix: 'prod-, web-,prod-' }).alarms).toEqual({
      namePrefixes: ['prod-', 'web-'],
      tag: undefined,
    });
    expect(read({ alarmPrefix: '["prod-","Ec2Led-check-"]' }).alarms?.namePrefixes).toEqual([
      'prod-',
      'Ec2Led-check-',
    ]);
    expect(read({ alarmPrefix: ['a/b'] }).alarms?.namePrefixes).toEqual(['a/b']);
  });

  it('reads a tag as key=value, or a key alone for any value', () => {
    expect(read({ alarmTag: 'board=desk' }).alarms).toEqual({
      namePrefixes: [],
      tag: { key: 'board', value: 'desk' },
    });
    expect(read({ alarmTag: 'ec2led' }).alarms?.tag).toEqual({ key: 'ec2led', value: undefined });
    expect(read({ alarmTag: 'team=a=b' }).alarms?.tag).toEqual({ key: 'team', value: 'a=b' });
  });

  it.each([
    [
      { alarmPrefix: 'prod-,,web-' },
      /context alarmPrefix is "prod-,,web-", expected a comma list .* -c alarmPrefix=prod-,web-/,
    ],
    [{ alarmPrefix: '[1]' }, /context alarmPrefix is "\[1\]"/],
    [{ alarmPrefix: 'x'.repeat(256) }, /1-255 characters/],
    [
      { alarmTag: '=desk' },
      /context alarmTag is "=desk", expected key or key=value .* -c alarmTag=board=desk/,
    ],
    [{ alarmTag: 'aws:cloudformation:stack-name' }, /not starting with aws:/],
    [{ alarmTag: 42 }, /context alarmTag is 42, expected a string/],
  ])('refuses %j in one sentence naming the key, the value and the fix', (values, message) => {
    expect(() => read(values)).toThrow(SettingsError);
    expect(() => read(values)).toThrow(message);
  });
});

describe('checks from context', () => {
  const withHome = (values: Record<string, unknown>) => read({ regions: 'eu-west-1', ...values });

  it('reads URLs, tcp://, hls: and objects, naming each by its host unless named', () => {
    expect(
      withHome({
        checks:
          'https://www.example.com/health, tcp://db.example.com:5432, hls:https://cdn.example.com/live/playlist.m3u8',
      }).checks,
    ).toEqual([
      {
        kind: 'http',
        name: 'www.example.com',
        protocol: 'HTTPS',
        host: 'www.example.com',
        port: 443,
        path: '/health',
        match: undefined,
      },
      { kind: 'tcp', name: 'db.example.com-5432', host: 'db.example.com', port: 5432 },
      {
        kind: 'hls',
        name: 'cdn.example.com',
        url: 'https://cdn.example.com/live/playlist.m3u8',
        distributionId: undefined,
      },
    ]);
  });

  it('reads an HLS check behind a distribution the stack makes: the origin, and the playlist path', () => {
    expect(
      withHome({
        checks:
          '[{"hls":"/live/playlist.m3u8?dvr=0","origin":"https://wowza.example.com:1935/app/","name":"lobby"}]',
      }).checks,
    ).toEqual([
      {
        kind: 'hls',
        name: 'lobby',
        url: '/live/playlist.m3u8?dvr=0',
        distributionId: undefined,
        origin: 'https://wowza.example.com:1935/app',
      },
    ]);
  });

  it('adds the check alarms to the alarm selection: alone, beside prefixes, or through the tag', () => {
    expect(withHome({ checks: 'tcp://db:5432' }).alarms).toEqual({
      namePrefixes: ['Ec2Led-check-'],
      tag: undefined,
    });
    expect(withHome({ checks: 'tcp://db:5432', alarmPrefix: 'prod-' }).alarms?.namePrefixes).toEqual([
      'prod-',
      'Ec2Led-check-',
    ]);
    expect(withHome({ checks: 'tcp://db:5432', alarmTag: 'board' }).alarms).toEqual({
      namePrefixes: [],
      tag: { key: 'board', value: undefined },
    });
  });

  it.each([
    [
      { checks: 'ping://db.example.com' },
      /context checks: "ping:\/\/db.example.com" is not http, https, tcp or hls \(Route 53 has no ICMP: use tcp:\/\/host:port for a ping\)/,
    ],
    [{ checks: 'tcp://db.example.com' }, /has no port; write tcp:\/\/host:port/],
    [
      { checks: 'https://a.example.com,https://a.example.com/other' },
      /two checks are named a.example.com; give one a "name"/,
    ],
    [
      { checks: '[{"hls":"https://x.example.com/p.m3u8","distributionId":"nope"}]' },
      /distributionId "nope" is not a CloudFront distribution id/,
    ],
    [{ checks: '[{"url":"https://x.example.com","match":""}]' }, /match "" is not 1-255 characters/],
    [
      { checks: '[{"hls":"https://x.example.com/p.m3u8","origin":"https://o.example.com"}]' },
      /hls "https:\/\/x.example.com\/p.m3u8" is not a playlist path; with "origin" write "\/live\/playlist.m3u8"/,
    ],
    [
      { checks: '[{"hls":"/p.m3u8","origin":"ftp://o.example.com"}]' },
      /origin "ftp:\/\/o.example.com" is not an http\(s\) origin without query/,
    ],
    [
      { checks: '[{"hls":"/p.m3u8","origin":"https://o.example.com","distributionId":"E2ABCDEF123456"}]' },
      /a check with "origin" gets a new distribution; leave "distributionId" out/,
    ],
    [{ checks: 'not a url' }, /"not a url" is not a URL/],
  ])('refuses %j in one sentence naming the value and the fix', (values, message) => {
    expect(() => withHome(values)).toThrow(SettingsError);
    expect(() => withHome(values)).toThrow(message);
  });

  it('needs a home region to send check alarms to', () => {
    expect(() => read({ checks: 'tcp://db:5432' })).toThrow(/context checks needs to know the home region/);
  });
});
