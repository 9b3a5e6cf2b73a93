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
