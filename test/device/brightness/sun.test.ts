/**
 * Sunrise and sunset against published times (timeanddate.com / NOAA's calculator), to ±2 minutes.
 */
import { describe, expect, it } from 'vitest';
import { sunEvents } from '../../../device/brightness/sun.ts';
import { addDays, localDate, zonedTime, zoneOffsetMs } from '../../../device/brightness/zoned-time.ts';

const TWO_MINUTES = 120_000;

function near(actual: number | undefined, iso: string): void {
  expect(actual).toBeDefined();
  expect(
    Math.abs((actual as number) - Date.parse(iso)),
    `${new Date(actual as number).toISOString()} vs ${iso}`,
  ).toBeLessThanOrEqual(TWO_MINUTES);
}

describe('sunEvents', () => {
  it('matches the published times for Berlin at midsummer (04:43 and 21:33 CEST)', () => {
    const { sunrise, sunset } = sunEvents(2024, 6, 21, { latitude: 52.52, longitude: 13.405 });
    near(sunrise, '2024-06-21T02:43:00Z');
    near(sunset, '2024-06-21T19:33:00Z');
  });

  it('matches the published times for New York at midwinter (07:16 and 16:32 EST)', () => {
    const { sunrise, sunset } = sunEvents(2024, 12, 21, { latitude: 40.7128, longitude: -74.006 });
    near(sunrise, '2024-12-21T12:16:00Z');
    near(sunset, '2024-12-21T21:32:00Z');
  });

  it('gives the local day east of Greenwich: Sydney, 1 January (05:47 and 20:09 AEDT)', () => {
    const { sunrise, sunset } = sunEvents(2024, 1, 1, { latitude: -33.8688, longitude: 151.2093 });
    near(sunrise, '2023-12-31T18:47:00Z');
    near(sunset, '2024-01-01T09:09:00Z');
  });

  it('has no sunrise or sunset in a polar night or a polar day (Tromsø)', () => {
    const tromso = { latitude: 69.6492, longitude: 18.9553 };
    expect(sunEvents(2024, 12, 21, tromso)).toEqual({ sunrise: undefined, sunset: undefined });
    expect(sunEvents(2024, 6, 21, tromso)).toEqual({ sunrise: undefined, sunset: undefined });
    expect(sunEvents(2024, 6, 21, { latitude: 90, longitude: 0 })).toEqual({
      sunrise: undefined,
      sunset: undefined,
    });
  });
});

describe('zoned time', () => {
  it('turns a wall-clock time into an instant, winter and summer', () => {
    expect(zonedTime({ year: 2024, month: 1, day: 15 }, 7 * 60, 'Europe/Berlin')).toBe(
      Date.parse('2024-01-15T06:00:00Z'),
    );
    expect(zonedTime({ year: 2024, month: 7, day: 15 }, 7 * 60, 'Europe/Berlin')).toBe(
      Date.parse('2024-07-15T05:00:00Z'),
    );
    expect(zonedTime({ year: 2024, month: 7, day: 15 }, 0, 'UTC')).toBe(Date.parse('2024-07-15T00:00:00Z'));
  });

  it('reads the local date and offset of an instant, across midnight and the year', () => {
    expect(localDate(Date.parse('2024-12-31T23:30:00Z'), 'Europe/Berlin')).toEqual({
      year: 2025,
      month: 1,
      day: 1,
    });
    expect(localDate(Date.parse('2025-01-01T03:00:00Z'), 'America/New_York')).toEqual({
      year: 2024,
      month: 12,
      day: 31,
    });
    expect(zoneOffsetMs(Date.parse('2024-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(addDays({ year: 2024, month: 2, day: 28 }, 2)).toEqual({ year: 2024, month: 3, day: 1 });
  });
});
