/**
 * Night mode's schedule on literal instants: the time zone is a parameter (Europe/Berlin,
 * America/New_York), so midnight and both DST changes are tested without touching process.env.TZ.
 */
import { describe, expect, it } from 'vitest';
import {
  FADE_STEP_MS,
  MAX_WAIT_MS,
  type ManualLevel,
  type NightSettings,
  nextTransition,
  nightAt,
  parseTimeOfDay,
  type ScheduleEntry,
} from '../../../device/brightness/schedule.ts';

const at = (iso: string): number => Date.parse(iso);
const entry = (text: string, level: ScheduleEntry['level']): ScheduleEntry => {
  const parsed = parseTimeOfDay(text);
  if (parsed === undefined) throw new Error(`bad time ${text}`);
  return { at: parsed, level };
};

function settings(over: Partial<NightSettings> = {}): NightSettings {
  return {
    entries: [entry('07:00', 0.5), entry('22:00', 0.1), entry('23:30', 'off')],
    timeZone: 'Europe/Berlin',
    fadeMs: 5_000,
    brightness: 0.4,
    urgentOverridesOff: false,
    ...over,
  };
}

describe('parseTimeOfDay', () => {
  it('reads times of day and sun events with an offset in minutes', () => {
    expect(parseTimeOfDay('07:05')).toEqual({ kind: 'clock', minutes: 425 });
    expect(parseTimeOfDay('00:00')).toEqual({ kind: 'clock', minutes: 0 });
    expect(parseTimeOfDay('sunset')).toEqual({ kind: 'sunset', offsetMinutes: 0 });
    expect(parseTimeOfDay('sunrise+30m')).toEqual({ kind: 'sunrise', offsetMinutes: 30 });
    expect(parseTimeOfDay('sunset-90m')).toEqual({ kind: 'sunset', offsetMinutes: -90 });
  });

  it('refuses what is not a time of day', () => {
    for (const text of ['24:00', '7:00', '07:60', 'noon', 'sunset+30', 'sunset+361m', 'sunset-1h', '']) {
      expect(parseTimeOfDay(text), text).toBeUndefined();
    }
  });
});

describe('nightAt', () => {
  it('holds the level of the latest entry, across midnight, and names the next change', () => {
    // 00:30 in Berlin on 16 January (winter time, UTC+1): "off" since 23:30 the day before.
    const night = nightAt(settings(), at('2024-01-15T23:30:00Z'));
    expect(night).toMatchObject({ level: 'off', brightness: 0, manual: false });
    expect(night.sinceMs).toBe(at('2024-01-15T22:30:00Z'));
    expect(night.next).toEqual({ atMs: at('2024-01-16T06:00:00Z'), level: 0.5 });
    expect(night.wakeInMs).toBe(MAX_WAIT_MS);
    const morning = nightAt(settings(), at('2024-01-16T05:59:59Z'));
    expect(morning.wakeInMs).toBe(1_000);
    expect(nightAt(settings(), at('2024-01-16T12:00:00Z'))).toMatchObject({
      level: 0.5,
      brightness: 0.5,
      next: { atMs: at('2024-01-16T21:00:00Z'), level: 0.1 },
    });
  });

  it('fades over fadeMs from the moment of a transition, a step every FADE_STEP_MS', () => {
    const s = settings();
    const start = at('2024-01-16T22:30:00Z'); // 23:30 local: 0.1 -> off
    expect(nightAt(s, start)).toMatchObject({ level: 'off', brightness: 0.1, wakeInMs: FADE_STEP_MS });
    expect(nightAt(s, start + 2_500).brightness).toBeCloseTo(0.05, 10);
    expect(nightAt(s, start + 4_990)).toMatchObject({ wakeInMs: 10 });
    const done = nightAt(s, start + 5_000);
    expect(done).toMatchObject({ brightness: 0, steadyFromMs: start + 5_000 });
    expect(done.wakeInMs).toBe(MAX_WAIT_MS);
    expect(nightAt(settings({ fadeMs: 0 }), start).brightness).toBe(0);
  });

  it('fires an entry in the hour skipped in spring as far into the new time (02:30 -> 03:30)', () => {
    const s = settings({ entries: [entry('02:30', 0.2), entry('12:00', 0.6)] });
    // Berlin, 31 March 2024: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    expect(nextTransition(s, at('2024-03-30T12:00:00Z'))).toEqual({
      atMs: at('2024-03-31T01:30:00Z'),
      level: 0.2,
    });
    expect(nightAt(s, at('2024-03-31T01:29:59Z')).level).toBe(0.6);
    expect(nightAt(s, at('2024-03-31T01:30:00Z')).level).toBe(0.2);
    // The day after, 02:30 CEST is 00:30 UTC.
    expect(nextTransition(s, at('2024-03-31T12:00:00Z'))?.atMs).toBe(at('2024-04-01T00:30:00Z'));
  });

  it('fires an entry in the hour repeated in autumn once, the first time', () => {
    const s = settings({ entries: [entry('02:30', 0.2), entry('12:00', 0.6)] });
    // Berlin, 27 October 2024: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 is shown twice.
    expect(nextTransition(s, at('2024-10-26T12:00:00Z'))).toEqual({
      atMs: at('2024-10-27T00:30:00Z'),
      level: 0.2,
    });
    // During the second 02:30 (01:30 UTC) nothing fires: the next change is 12:00 CET.
    expect(nextTransition(s, at('2024-10-27T00:30:00Z'))).toEqual({
      atMs: at('2024-10-27T11:00:00Z'),
      level: 0.6,
    });
    expect(nightAt(s, at('2024-10-27T01:30:00Z'))).toMatchObject({
      level: 0.2,
      sinceMs: at('2024-10-27T00:30:00Z'),
    });
  });

  it('follows New York time through both of its changes', () => {
    const s = settings({
      timeZone: 'America/New_York',
      entries: [entry('02:30', 'off'), entry('01:30', 0.3)],
    });
    // 10 March 2024: 02:00 EST becomes 03:00 EDT (07:00 UTC): 02:30 fires at 03:30 EDT.
    expect(nextTransition(s, at('2024-03-10T06:31:00Z'))).toEqual({
      atMs: at('2024-03-10T07:30:00Z'),
      level: 'off',
    });
    // 3 November 2024: 02:00 EDT becomes 01:00 EST (06:00 UTC): 01:30 fires once, in EDT.
    expect(nextTransition(s, at('2024-11-03T04:00:00Z'))).toEqual({
      atMs: at('2024-11-03T05:30:00Z'),
      level: 0.3,
    });
    expect(nextTransition(s, at('2024-11-03T05:30:00Z'))).toEqual({
      atMs: at('2024-11-03T07:30:00Z'),
      level: 'off',
    });
  });

  it('reads sunrise and sunset entries on the local day, with their offset', () => {
    const s = settings({
      entries: [entry('sunrise', 0.5), entry('sunset-30m', 0.1)],
      place: { latitude: 52.52, longitude: 13.405 },
    });
    // Berlin, 21 June 2024: sunset 21:33 CEST (19:33 UTC), so the entry fires about 19:03 UTC.
    const next = nextTransition(s, at('2024-06-21T12:00:00Z'));
    expect(next?.level).toBe(0.1);
    expect(Math.abs((next?.atMs ?? 0) - at('2024-06-21T19:03:00Z'))).toBeLessThanOrEqual(120_000);
    expect(nightAt(s, at('2024-06-21T23:00:00Z')).level).toBe(0.1);
  });

  it('keeps the last level through a polar night and a polar day, and never throws', () => {
    const tromso = settings({
      entries: [entry('sunrise', 0.5), entry('sunset', 0.1)],
      place: { latitude: 69.6492, longitude: 18.9553 },
    });
    // Midwinter: the last sunset was in late November; the next sunrise comes in January.
    const winter = nightAt(tromso, at('2024-12-21T12:00:00Z'));
    expect(winter.level).toBe(0.1);
    expect(winter.sinceMs).toBeLessThan(at('2024-12-01T00:00:00Z'));
    expect(winter.next?.level).toBe(0.5);
    expect(winter.next?.atMs).toBeGreaterThan(at('2025-01-10T00:00:00Z'));
    expect(winter.next?.atMs).toBeLessThan(at('2025-01-20T00:00:00Z'));
    // Midsummer: the sun last rose in May.
    expect(nightAt(tromso, at('2024-06-21T00:00:00Z'))).toMatchObject({ level: 0.5, next: { level: 0.1 } });
  });

  it('falls back to display.brightness when no entry ever fires', () => {
    const s = settings({ entries: [entry('sunset', 0.1)], place: undefined });
    expect(nightAt(s, at('2024-06-21T12:00:00Z'))).toEqual({
      level: 0.4,
      brightness: 0.4,
      manual: false,
      sinceMs: undefined,
      steadyFromMs: at('2024-06-21T12:00:00Z'),
      fadeFrom: 0.4,
      next: undefined,
      wakeInMs: MAX_WAIT_MS,
    });
  });

  it('lets two entries at one moment resolve to the later-listed one', () => {
    const s = settings({ entries: [entry('20:00', 0.3), entry('20:00', 0.7)] });
    expect(nightAt(s, at('2024-01-16T20:00:00Z')).level).toBe(0.7);
  });

  it('holds a manual level until the next scheduled transition, fading in and out of it', () => {
    const s = settings();
    const manual: ManualLevel = { level: 0.9, atMs: at('2024-01-16T11:00:00Z') }; // 12:00 local
    const set = nightAt(s, manual.atMs + 2_500, manual);
    expect(set).toMatchObject({ level: 0.9, manual: true, next: { level: 0.1 } });
    expect(set.brightness).toBeCloseTo(0.7, 10); // halfway from 0.5
    expect(nightAt(s, at('2024-01-16T20:59:00Z'), manual)).toMatchObject({ level: 0.9, brightness: 0.9 });
    // 22:00 local: the schedule again, fading down from the manual level.
    const after = nightAt(s, at('2024-01-16T21:00:02.500Z'), manual);
    expect(after).toMatchObject({ level: 0.1, manual: false });
    expect(after.brightness).toBeCloseTo(0.5, 10);
    // A manual level set before the previous transition is forgotten.
    expect(nightAt(s, at('2024-01-16T22:40:00Z'), manual)).toMatchObject({ level: 'off', brightness: 0 });
  });

  it('reuses its previous answer while steady, and recomputes after a clock step', () => {
    const s = settings();
    const first = nightAt(s, at('2024-01-16T12:00:00Z'));
    const again = nightAt(s, at('2024-01-16T12:30:00Z'), undefined, first);
    expect(again).toEqual({ ...first, wakeInMs: MAX_WAIT_MS });
    const stepped = nightAt(s, at('2024-01-17T01:00:00Z'), undefined, first);
    expect(stepped.level).toBe('off');
    // Through a fade: the same answers as computed afresh.
    const start = at('2024-01-16T21:00:00Z');
    let previous = nightAt(s, start);
    for (let t = start; t <= start + 6_000; t += 250) {
      previous = nightAt(s, t, undefined, previous);
      expect(previous).toEqual(nightAt(s, t));
    }
  });
});
