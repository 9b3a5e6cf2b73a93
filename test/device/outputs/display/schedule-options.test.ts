/**
 * Night mode's config keys (display.schedule, display.location) and how the legend carries the
 * schedule to `ec2led status` and the web API.
 */
import { describe, expect, it } from 'vitest';
import { displayOptionsSchema } from '../../../../device/config/display-options.ts';
import { nightSettings } from '../../../../device/config/picture-settings.ts';
import { drawBrightness, drawStatus } from '../../../../device/outputs/display/boards/terminal-legend.ts';
import { emptyLegend, type Legend } from '../../../../device/picture/legend.ts';

function problems(input: unknown): string[] {
  const result = displayOptionsSchema.safeParse(input, { reportInput: true });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('display.schedule and display.location', () => {
  it('accepts times of day and sun events, and defaults the fade and the override', () => {
    const parsed = displayOptionsSchema.parse({
      schedule: {
        entries: [
          { at: '22:30', brightness: 0.1 },
          { at: 'sunrise+15m', brightness: 0.5 },
        ],
      },
      location: { latitude: 52.52, longitude: 13.405 },
    });
    expect(parsed.schedule).toEqual({
      entries: [
        { at: '22:30', brightness: 0.1 },
        { at: 'sunrise+15m', brightness: 0.5 },
      ],
      fadeSeconds: 5,
      urgentOverridesOff: false,
    });
    expect(nightSettings(parsed, 'Europe/Berlin')).toEqual({
      entries: [
        { at: { kind: 'clock', minutes: 1350 }, level: 0.1 },
        { at: { kind: 'sunrise', offsetMinutes: 15 }, level: 0.5 },
      ],
      timeZone: 'Europe/Berlin',
      place: { latitude: 52.52, longitude: 13.405 },
      fadeMs: 5_000,
      brightness: 0.5,
      urgentOverridesOff: false,
    });
    expect(nightSettings(displayOptionsSchema.parse({}))).toBeUndefined();
    // Home Assistant may set the brightness by hand: a schedule of no entries, display.brightness by default.
    expect(nightSettings(displayOptionsSchema.parse({}), 'UTC', true)).toMatchObject({
      entries: [],
      brightness: 0.5,
      fadeMs: 5_000,
    });
  });

  it('names the bad value and the fix for each bad key', () => {
    expect(problems({ schedule: { entries: [{ at: '7am', brightness: 2 }] } })).toEqual([
      expect.stringMatching(/^display\.schedule\.entries\[\]\.at "7am" is invalid: use "HH:MM"/),
      'display.schedule.entries[].brightness 2 is invalid: use a number from 0 to 1, or "off"',
    ]);
    expect(problems({ schedule: { entries: [] } })).toEqual([
      'display.schedule.entries [] is invalid: list at least one { "at": "22:00", "brightness": "off" }',
    ]);
    expect(problems({ location: { latitude: 91, longitude: 0 } })).toEqual([
      'display.location.latitude 91 is invalid: use degrees from -90 to 90, north positive',
    ]);
  });

  it('refuses a sunrise or sunset entry without a location', () => {
    expect(problems({ schedule: { entries: [{ at: 'sunset', brightness: 'off' }] } })).toEqual([
      'display.schedule entry at "sunset" needs display.location: add { "latitude": ..., "longitude": ... } (degrees, north and east positive)',
    ]);
  });
});

describe('the schedule in the legend', () => {
  const legend: Legend = {
    ...emptyLegend(2, 1),
    brightness: { level: 0.1, next: { atMs: Date.parse('2024-01-16T22:30:00Z'), level: 'off' } },
  };

  it('reads on the status line in the given time zone', () => {
    expect(drawStatus(legend, 'Europe/Berlin')).toBe(
      'ec2-led · DISCONNECTED: picture may be stale · syncing · brightness 10%, off at Tue 23:30',
    );
    expect(drawBrightness({ level: 'off', urgent: true }, 'UTC')).toBe('brightness off (urgent pixels lit)');
    expect(drawBrightness({ level: 0.9, manual: true, next: { atMs: Number.NaN, level: 0.1 } })).toBe(
      'brightness 90% (set by hand)',
    );
  });
});
