import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_KEYS, ConfigError, ENV_KEYS, parseConfig } from '../../device/config/config.ts';
import { setting, settingsOf } from '../../device/config/config-table.ts';

const MINIMAL = {
  mqtt: { endpoint: 'example.iot.eu-west-1.amazonaws.com', clientId: 'desk', tls: false },
  aws: { credentials: 'default', accounts: ['123456789012'], regions: ['eu-west-1'] },
  display: { board: 'none' },
};

function problems(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the config table (the schema with its settings)', () => {
  it('reads settings through defaults, optionals, lists, maps and unions', () => {
    const schema = z.strictObject({
      a: z
        .int()
        .default(1)
        .meta(setting('use a whole number', 'X_A', 'number')),
      b: z.string().meta(setting('use text')).optional(),
      list: z.array(z.union([z.string(), z.strictObject({ id: z.string().meta(setting('use an id')) })])),
      map: z.record(z.string(), z.string().meta(setting('use a value'))),
      nested: z.strictObject({ c: z.boolean().meta(setting(undefined, 'X_C', 'boolean')) }).optional(),
    });
    const found = settingsOf(schema);
    expect(Object.fromEntries(found)).toEqual({
      a: { fix: 'use a whole number', env: { name: 'X_A', kind: 'number' } },
      b: { fix: 'use text' },
      'list.*.id': { fix: 'use an id' },
      'map.*': { fix: 'use a value' },
      'nested.c': { env: { name: 'X_C', kind: 'boolean' } },
    });
  });

  it('gives every key outside display a fix text (display words its own, options.ts)', () => {
    const leaves = [...CONFIG_KEYS].filter(([key]) => !key.startsWith('display.'));
    expect(leaves.length).toBeGreaterThan(30);
    for (const [key, value] of leaves) expect(value.fix, key).toMatch(/^use /);
  });

  it('maps each environment variable to one key, named after it', () => {
    expect(Object.keys(ENV_KEYS)).toHaveLength(33);
    for (const [name, [key]] of Object.entries(ENV_KEYS)) {
      const expected = `EC2LED_${key
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/\./g, '_')
        .toUpperCase()}`;
      expect(name, key).toBe(expected);
    }
  });

  it('puts the table’s fix text into the error for that key', () => {
    expect(problems({ ...MINIMAL, web: { port: 70000 } })).toEqual([
      expect.stringMatching(/^web\.port = 70000 is invalid: .*; use a port number from 0 to 65535$/),
    ]);
    expect(problems({ ...MINIMAL, aws: { ...MINIMAL.aws, accounts: [{ id: '12' }] } })).toEqual([
      expect.stringContaining('use a 12-digit account id as a string, such as "123456789012"'),
    ]);
    expect(problems({ ...MINIMAL, pins: { web: 'top' } })).toEqual([
      expect.stringContaining('use "x,y" pixel coordinates such as "0,3"'),
    ]);
  });
});
