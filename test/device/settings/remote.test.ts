import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, type Config, parseConfig } from '../../../device/config/config.ts';
import { loadConfig } from '../../../device/config/config-load.ts';
import {
  fitReport,
  type Pinned,
  pinnedKeys,
  REMOTE_KEYS,
  reportedState,
  reportPatch,
  resolveSettings,
  SHADOW_STATE_LIMIT_BYTES,
  stateBytes,
} from '../../../device/config/remote-settings.ts';

const LOCAL: Config = parseConfig(
  {
    mqtt: { endpoint: 'example-ats.iot.eu-west-1.amazonaws.com', clientId: 'desk-pi', tls: false },
    aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
    display: { board: 'none', virtualWidth: 8, virtualHeight: 8, brightness: 0.5 },
    colors: { running: '#00ff00' },
  },
  { readable: () => undefined, tls: () => [] },
);

const resolve = (desired: unknown, pinned: Pinned = new Map()) =>
  resolveSettings({ local: LOCAL, desired, pinned, previous: LOCAL });

describe('REMOTE_KEYS', () => {
  it('is read off the config schema: the keys marked remote(...), in the schema order', () => {
    expect(REMOTE_KEYS).toEqual([
      'tagFilter',
      'resyncMinutes',
      'pins',
      'colors',
      'display.brightness',
      'display.schedule',
    ]);
    for (const key of REMOTE_KEYS) expect(CONFIG_KEYS.get(key)?.remote).toBe(true);
    expect([...CONFIG_KEYS].filter(([, found]) => found.remote === true).length).toBe(REMOTE_KEYS.length);
  });
});

describe('resolveSettings', () => {
  it('applies valid desired values over the local config and names what changed', () => {
    const out = resolve({ display: { brightness: 0.2 }, pins: { web: '1,2' }, resyncMinutes: 5 });
    expect(out.errors).toEqual({});
    expect(out.config.display.brightness).toBe(0.2);
    expect(out.config.pins).toEqual({ web: '1,2' });
    expect(out.config.resyncMinutes).toBe(5);
    expect(out.config.display.board).toBe('none');
    expect(out.changed).toEqual(['resyncMinutes', 'pins', 'display.brightness']);
  });

  it('refuses a bad value with the config file text and keeps the rest', () => {
    const out = resolve({ display: { brightness: 2 }, resyncMinutes: 30 });
    expect(out.config.display.brightness).toBe(0.5);
    expect(out.config.resyncMinutes).toBe(30);
    expect(out.errors).toEqual({
      'display.brightness': expect.stringContaining(
        'display.brightness 2 is invalid: use a number from 0 (off) to 1',
      ),
    });
  });

  it('refuses a pin off the board, as the config file would', () => {
    const out = resolve({ pins: { web: '9,9' } });
    expect(out.config.pins).toEqual({});
    expect(out.errors.pins).toMatch(/pins\.web = "9,9" is outside the 8x8 none board/);
  });

  it('refuses keys that are not remote settings, naming the settable ones', () => {
    const out = resolve({ mqtt: { endpoint: 'evil.example.com' }, display: { board: 'terminal' } });
    expect(out.config).toBe(LOCAL);
    expect(Object.keys(out.errors).sort()).toEqual(['display.board', 'mqtt']);
    expect(out.errors.mqtt).toContain(`settable: ${REMOTE_KEYS.join(', ')}`);
  });

  it('leaves a key pinned by the environment or a flag alone and says where it is set', () => {
    const pinned = pinnedKeys(
      new Map([
        ['display.brightness', 'EC2LED_DISPLAY_BRIGHTNESS'],
        ['pins', '/etc/ec2led/config.json'],
        ['display.board', '--display'],
      ]),
    );
    expect([...pinned]).toEqual([['display.brightness', 'EC2LED_DISPLAY_BRIGHTNESS']]);
    const out = resolve({ display: { brightness: 0.1 }, pins: { web: '0,0' } }, pinned);
    expect(out.config.display.brightness).toBe(0.5);
    expect(out.config.pins).toEqual({ web: '0,0' });
    expect(out.errors['display.brightness']).toMatch(
      /set on the device by EC2LED_DISPLAY_BRIGHTNESS, which wins/,
    );
  });

  it('pins what the environment and flags set as the agent loads its config, not what the file sets', () => {
    const loaded = loadConfig({
      configPath: '/etc/ec2led/config.json',
      readFile: () =>
        JSON.stringify({
          mqtt: { endpoint: 'example-ats.iot.eu-west-1.amazonaws.com', clientId: 'desk-pi', tls: false },
          aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
          pins: { web: '0,0' },
        }),
      env: { EC2LED_DISPLAY_BRIGHTNESS: '0.3', EC2LED_RESYNC_MINUTES: '5' },
      flags: [{ key: 'display.board', value: 'none', flag: '--display' }],
      readable: () => undefined,
      tls: () => [],
      stdoutIsTerminal: false,
    });
    expect(Object.fromEntries(pinnedKeys(loaded.origins))).toEqual({
      'display.brightness': 'EC2LED_DISPLAY_BRIGHTNESS',
      resyncMinutes: 'EC2LED_RESYNC_MINUTES',
    });
  });

  it('goes back to the local value when the desired key is removed', () => {
    const before = resolve({ colors: { running: '#112233' } }).config;
    const after = resolveSettings({ local: LOCAL, desired: {}, pinned: new Map(), previous: before });
    expect(after.config.colors).toEqual({ running: '#00ff00' });
    expect(after.changed).toEqual(['colors']);
  });

  it('names __proto__, constructor and prototype keys among the refused, at any depth, and pollutes nothing', () => {
    // JSON.parse makes "__proto__" an own key, as the shadow document arrives.
    const desired = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"prototype":2,' +
        '"pins":{"__proto__":"1,1","web":"2,2"},"display":{"__proto__":{"brightness":0.1},"brightness":0.3}}',
    );
    const out = resolve(desired);
    expect(Object.keys(out.errors).sort()).toEqual([
      '__proto__',
      'constructor',
      'display.__proto__',
      'pins.__proto__',
      'prototype',
    ]);
    expect(Object.getOwnPropertyDescriptor(out.errors, '__proto__')?.value).toBe(
      '__proto__: a key named __proto__ is never accepted; remove it',
    );
    // The rest of the document still applies, without the refused entries.
    expect(out.config.pins).toEqual({ web: '2,2' });
    expect(Object.getPrototypeOf(out.config.pins)).toBe(Object.prototype);
    expect(out.config.display.brightness).toBe(0.3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // The report names them too, as own keys that survive JSON.
    const report = reportedState(out.config, out.errors);
    const sent = JSON.parse(JSON.stringify(reportPatch({}, report))) as { errors: Record<string, string> };
    expect(Object.keys(sent.errors)).toContain('__proto__');
    expect(Object.getPrototypeOf(sent.errors)).toBe(Object.prototype);
  });

  it('refuses a desired section nested deeper than 16 levels where it goes too deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const out = resolve({ colors: deep, resyncMinutes: 5 });
    expect(Object.keys(out.errors)).toEqual([expect.stringMatching(/^colors(\.a)+$/), 'colors']);
    expect(out.config.resyncMinutes).toBe(5);
  });

  it('treats a desired section that is not an object as empty', () => {
    for (const desired of [null, 'x', 3, [1]])
      expect(resolve(desired)).toEqual({ config: LOCAL, errors: {}, changed: [] });
  });
});

describe('reported state and its patch', () => {
  it('reports the effective value of every remote key and the errors', () => {
    const { config, errors } = resolve({ display: { brightness: 0.3 }, resyncMinutes: 0 });
    expect(reportedState(config, errors)).toEqual({
      display: { brightness: 0.3 },
      colors: { running: '#00ff00' },
      resyncMinutes: 15,
      errors: { resyncMinutes: expect.stringContaining('resyncMinutes = 0 is invalid') },
    });
  });

  it('sends null for what must go, since the shadow merges objects', () => {
    const stored = { pins: { a: '0,0' }, errors: { pins: 'bad' }, display: { brightness: 0.5 } };
    const next = { pins: { b: '1,1' }, display: { brightness: 0.5 } };
    expect(reportPatch(stored, next)).toEqual({ pins: { a: null, b: '1,1' }, errors: null });
    expect(reportPatch(next, next)).toBeUndefined();
  });
});

describe('the 8 KB shadow limit', () => {
  const pins = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`instance-name-${i}`, '1,1']));

  it('sends the whole report when desired and reported fit', () => {
    const reported = { pins: pins(10) };
    expect(fitReport({}, reported)).toEqual({ ok: true, reported, omitted: [] });
  });

  it('leaves out the largest values, named in omitted, when the whole report would not fit', () => {
    const desired = { pins: pins(170) };
    const reported = { pins: pins(170), resyncMinutes: 15, errors: { x: 'y' } };
    expect(stateBytes(desired, reported)).toBeGreaterThan(SHADOW_STATE_LIMIT_BYTES);
    const fitted = fitReport(desired, reported);
    expect(fitted).toEqual({
      ok: true,
      reported: { resyncMinutes: 15, errors: { x: 'y' }, omitted: ['pins'] },
      omitted: ['pins'],
    });
    if (fitted.ok) expect(stateBytes(desired, fitted.reported)).toBeLessThanOrEqual(SHADOW_STATE_LIMIT_BYTES);
  });

  it('refuses to report when desired alone fills the document', () => {
    const desired = { pins: pins(400) };
    const fitted = fitReport(desired, { resyncMinutes: 15 });
    expect(fitted.ok).toBe(false);
    if (!fitted.ok) expect(fitted.reason).toMatch(/desired section alone takes \d+ of the 8192 bytes/);
  });
});
