/** Config `alarms` and `zones`: absent changes nothing; present, every bad value names its fix. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../device/config/config.ts';
import { pictureSettings } from '../../device/config/picture-settings.ts';
import { alarmScope } from '../../device/sources/feed.ts';

const BASE = {
  mqtt: { endpoint: 'localhost', clientId: 'board-1', tls: false },
  aws: { credentials: 'default', accounts: ['111111111111', '222222222222'], regions: ['eu-west-1'] },
  display: { board: 'none' },
};

function problems(extra: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...BASE, ...extra });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config: alarms and zones', () => {
  it('leaves both out when absent: no alarm scope, no zones in the picture settings', () => {
    const config = parseConfig(BASE);
    expect('alarms' in config).toBe(false);
    expect('zones' in config).toBe(false);
    expect(alarmScope(config)).toBeUndefined();
    expect('zones' in pictureSettings(config)).toBe(false);
  });

  it('scopes alarms to the home account, the alarm regions (default aws.regions) and the prefixes', () => {
    const config = parseConfig({ ...BASE, alarms: { prefixes: ['web-', ''] } });
    expect(alarmScope(config)).toEqual({
      account: '111111111111',
      regions: ['eu-west-1'],
      prefixes: ['web-', ''],
    });
    const withRegions = parseConfig({
      ...BASE,
      alarms: { prefixes: ['web-'], regions: ['eu-west-1', 'us-east-1'], endpoint: 'http://127.0.0.1:4566' },
      zones: { alarm: { rows: 2 }, instance: { from: 'top' } },
    });
    expect(alarmScope(withRegions)?.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(pictureSettings(withRegions).zones).toEqual({ alarm: { rows: 2 }, instance: { from: 'top' } });
  });

  it('names the key and the fix of every bad value', () => {
    expect(problems({ alarms: { prefixes: [] } })).toEqual([
      expect.stringMatching(/^alarms\.prefixes = \[\] is invalid: .*; use a list of alarm name prefixes/),
    ]);
    expect(problems({ alarms: { prefixes: ['web-'], regions: ['mars-1'] } })).toEqual([
      expect.stringMatching(/^alarms\.regions\.0 = "mars-1" is invalid: .*; use a region name/),
    ]);
    expect(problems({ zones: { alarm: { from: 'left' } } })).toEqual([
      expect.stringMatching(/^zones\.alarm\.from = "left" is invalid: .*; use "top" or "bottom"/),
    ]);
    expect(problems({ zones: { alarm: { rows: 0 } } })).toEqual([
      expect.stringMatching(
        /^zones\.alarm\.rows = 0 is invalid: .*; use a whole number of rows from 1 to 64/,
      ),
    ]);
    expect(problems({ zones: { check: {} } })).toHaveLength(1);
    expect(problems({ alarms: { prefixes: ['web-'], tag: 'board=desk' } })).toEqual([
      expect.stringMatching(/^unknown key alarms\.tag/),
    ]);
  });

  it('takes probes with a default interval, and refuses a bad URL and a name used twice', () => {
    const config = parseConfig({
      ...BASE,
      probes: [
        { name: 'www', url: 'https://www.example.com/health', match: 'ok' },
        { name: 'db', url: 'tcp://db.example.com:5432', intervalSeconds: 30 },
        { name: 'lobby', url: 'hls:https://cdn.example.com/live/playlist.m3u8' },
      ],
    });
    expect(config.probes?.map((p) => [p.name, p.intervalSeconds])).toEqual([
      ['www', 60],
      ['db', 30],
      ['lobby', 60],
    ]);
    expect(problems({ probes: [{ name: 'x', url: 'ping://host' }] })).toEqual([
      expect.stringMatching(/^probes\.0\.url = "ping:\/\/host" is invalid: .*; use https:\/\/host\/path/),
    ]);
    expect(
      problems({
        probes: [
          { name: 'x', url: 'tcp://a:1' },
          { name: 'x', url: 'tcp://b:2' },
        ],
      }),
    ).toEqual(['probes lists x twice: give each probe its own name']);
  });
});
