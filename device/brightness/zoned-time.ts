/**
 * Wall-clock time in a named time zone (IANA, "Europe/Berlin"), through Intl only (pure: the zone is
 * a parameter, never process.env.TZ, so a test can run any zone in one process).
 *
 * Contract:
 * - `localDate(ms, zone)` is the calendar date at `ms` on a wall clock in `zone`.
 * - `zonedTime(date, minutes, zone)` is the epoch milliseconds at which a wall clock in `zone` shows
 *   `minutes` after midnight on `date`. Like Temporal's "compatible" disambiguation: a time skipped
 *   by a spring-forward change (02:30 in Berlin on the last Sunday of March) is taken as the same
 *   length of time after the skipped hour began, i.e. 03:30 summer time; a time shown twice by an
 *   autumn change is its first (earlier) occurrence.
 */

export interface LocalDate {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

function wallClock(
  ms: number,
  zone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatFor(zone).formatToParts(ms)) {
    if (part.type in out) out[part.type as keyof typeof out] = Number(part.value);
  }
  return out;
}

/** How far the wall clock in `zone` is ahead of UTC at `ms`, in milliseconds (whole seconds). */
export function zoneOffsetMs(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

export function localDate(ms: number, zone: string): LocalDate {
  const { year, month, day } = wallClock(ms, zone);
  return { year, month, day };
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const HOUR_MS = 3_600_000;

/** Epoch milliseconds of `minutes` after midnight on `date` in `zone` (see the contract for DST). */
export function zonedTime(date: LocalDate, minutes: number, zone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * 60_000;
  // The offsets on either side of any change near this wall time (zones change at most once a day).
  const before = zoneOffsetMs(wall - 30 * HOUR_MS, zone);
  const after = zoneOffsetMs(wall + 30 * HOUR_MS, zone);
  const candidates = [wall - before, wall - after].filter(
    (at, i) => zoneOffsetMs(at, zone) === (i === 0 ? before : after),
  );
  // Skipped (no candidate holds): the old offset puts it as far past the change as it was meant to be.
  return candidates.length === 0 ? wall - before : Math.min(...candidates);
}
