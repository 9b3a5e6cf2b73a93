/**
 * Night mode: the brightness schedule (config `display.schedule`), as a pure function of time. The
 * picture asks it for the brightness at a moment and when to ask again; no timer lives here.
 *
 * Contract:
 * - Each entry is a time of day on the wall clock of `timeZone` ("07:00"), or the local sunrise or
 *   sunset at `place` with an offset ("sunset-30m"), with a level: a brightness 0..1 or "off". Every
 *   day, each entry is a transition at that moment; the level of the latest transition at or before
 *   `nowMs` holds (two at the same moment: the later-listed wins). DST follows zoned-time.ts: an
 *   entry in a skipped hour fires as far into the new time (02:30 -> 03:30), one in a repeated hour
 *   fires once, the first time.
 * - A sunrise or sunset that does not happen that day (polar night or day) skips its entry that day;
 *   the previous level holds. With no transition at all in the last DAYS_SEARCHED days the level is
 *   `brightness` (display.brightness).
 * - A change of level fades linearly over `fadeMs` from the moment of the transition; `wakeInMs` is
 *   FADE_STEP_MS while fading, else the time to the next transition, at most MAX_WAIT_MS (so a
 *   wall-clock step, NTP setting the clock of a Pi without a real-time clock, is noticed within it).
 * - A manual level (Home Assistant, later the shadow) set at `atMs` holds until the next scheduled
 *   transition after it, then the schedule takes over again; it fades like a transition.
 */
import { type Place, sunEvents } from './sun.ts';
import { addDays, type LocalDate, localDate, zonedTime } from './zoned-time.ts';

/** A brightness 0..1, or "off" (0, which an urgent pixel may override). */
export type Level = number | 'off';

export type TimeOfDay =
  | { readonly kind: 'clock'; readonly minutes: number }
  | { readonly kind: 'sunrise' | 'sunset'; readonly offsetMinutes: number };

export interface ScheduleEntry {
  readonly at: TimeOfDay;
  readonly level: Level;
}

export interface NightSettings {
  /** At least one. */
  readonly entries: readonly ScheduleEntry[];
  /** IANA zone of the wall clock the entries are read on: the Pi's own (process TZ) in the agent. */
  readonly timeZone: string;
  /** Needed by sunrise and sunset entries (config checks it); without it they never fire. */
  readonly place?: Place | undefined;
  readonly fadeMs: number;
  /** display.brightness: the level when the schedule has none to give (polar, see the contract). */
  readonly brightness: number;
  /** An urgent pixel lights the board while the level is "off" (picture.ts). */
  readonly urgentOverridesOff: boolean;
}

export interface Transition {
  readonly atMs: number;
  readonly level: Level;
}

/** A level set by hand at `atMs`; it holds until the next scheduled transition. */
export interface ManualLevel {
  readonly level: Level;
  readonly atMs: number;
}

export interface Night {
  /** The level that holds now (the target while fading). */
  readonly level: Level;
  /** The brightness to show at the moment asked, 0..1 (between two levels while fading). */
  readonly brightness: number;
  /** True when `level` is a manual one. */
  readonly manual: boolean;
  /** When `level` took effect; undefined when it is the fallback. */
  readonly sinceMs: number | undefined;
  /** The fade ends here; from then until `next` nothing changes. */
  readonly steadyFromMs: number;
  /** The brightness the fade into `level` started from, at `sinceMs`. */
  readonly fadeFrom: number;
  /** The next scheduled transition; undefined when none comes within DAYS_SEARCHED days. */
  readonly next: Transition | undefined;
  readonly wakeInMs: number;
}

export const FADE_STEP_MS = 50;
export const MAX_WAIT_MS = 3_600_000;
export const DAYS_SEARCHED = 400;
/** Sun entries may move this far from their event: a transition stays within a day of its date. */
export const MAX_SUN_OFFSET_MINUTES = 360;

const TIME = /^(\d{2}):(\d{2})$/;
const SUN = /^(sunrise|sunset)(?:([+-])(\d{1,3})m)?$/;

/** "07:00", "sunset", "sunrise+30m", "sunset-90m"; undefined for anything else. */
export function parseTimeOfDay(text: string): TimeOfDay | undefined {
  const time = TIME.exec(text);
  if (time !== null) {
    const hours = Number(time[1]);
    const minutes = Number(time[2]);
    return hours < 24 && minutes < 60 ? { kind: 'clock', minutes: hours * 60 + minutes } : undefined;
  }
  const sun = SUN.exec(text);
  if (sun === null) return undefined;
  const offset = (sun[2] === '-' ? -1 : 1) * Number(sun[3] ?? 0);
  if (Math.abs(offset) > MAX_SUN_OFFSET_MINUTES) return undefined;
  return { kind: sun[1] as 'sunrise' | 'sunset', offsetMinutes: offset };
}

function levelValue(level: Level): number {
  return level === 'off' ? 0 : level;
}

interface Occurrence extends Transition {
  readonly index: number;
}

function occurrencesOn(settings: NightSettings, date: LocalDate): Occurrence[] {
  const out: Occurrence[] = [];
  let sun: ReturnType<typeof sunEvents> | undefined;
  settings.entries.forEach(({ at, level }, index) => {
    if (at.kind === 'clock') {
      out.push({ atMs: zonedTime(date, at.minutes, settings.timeZone), level, index });
      return;
    }
    if (settings.place === undefined) return;
    sun ??= sunEvents(date.year, date.month, date.day, settings.place);
    const event = sun[at.kind];
    if (event !== undefined) out.push({ atMs: event + at.offsetMinutes * 60_000, level, index });
  });
  return out;
}

const byTime = (a: Occurrence, b: Occurrence): number => a.atMs - b.atMs || a.index - b.index;

/**
 * The last two transitions at or before `nowMs`, latest last. Days are searched backwards; one more
 * day is read after the two are found, since an offset sun entry may fall past midnight.
 */
export function lastTransitions(settings: NightSettings, nowMs: number): Transition[] {
  const today = localDate(nowMs, settings.timeZone);
  const found: Occurrence[] = [];
  let extra = false;
  for (let k = 1; k >= -DAYS_SEARCHED; k--) {
    found.push(...occurrencesOn(settings, addDays(today, k)).filter((o) => o.atMs <= nowMs));
    if (extra) break;
    if (found.length >= 2) extra = true;
  }
  return found.sort(byTime).slice(-2);
}

/** The first transition after `nowMs`, or undefined when none comes within DAYS_SEARCHED days. */
export function nextTransition(settings: NightSettings, nowMs: number): Transition | undefined {
  const today = localDate(nowMs, settings.timeZone);
  const found: Occurrence[] = [];
  let extra = false;
  for (let k = -1; k <= DAYS_SEARCHED; k++) {
    found.push(...occurrencesOn(settings, addDays(today, k)).filter((o) => o.atMs > nowMs));
    if (extra) break;
    if (found.length >= 1) extra = true;
  }
  const first = found.sort(byTime)[0];
  return first === undefined ? undefined : { atMs: first.atMs, level: first.level };
}

function wakeFor(nowMs: number, steadyFromMs: number, next: Transition | undefined): number {
  if (nowMs < steadyFromMs) return Math.min(FADE_STEP_MS, steadyFromMs - nowMs);
  return Math.min(MAX_WAIT_MS, (next?.atMs ?? Number.POSITIVE_INFINITY) - nowMs);
}

function fade(from: number, to: number, startMs: number, nowMs: number, fadeMs: number): number {
  if (fadeMs <= 0 || nowMs >= startMs + fadeMs || from === to) return to;
  return from + ((to - from) * (nowMs - startMs)) / fadeMs;
}

/** The schedule alone (no manual level) at `nowMs`. */
function scheduled(settings: NightSettings, nowMs: number, manual: ManualLevel | undefined) {
  const [before, current] = (() => {
    const last = lastTransitions(settings, nowMs);
    return last.length === 2 ? last : [undefined, last[0]];
  })();
  if (current === undefined) {
    const fallback = settings.brightness;
    return { level: fallback as Level, brightness: fallback, from: fallback, since: undefined };
  }
  // The level before this transition: a manual one set after the previous transition, if any.
  const fromLevel =
    manual !== undefined && manual.atMs < current.atMs && manual.atMs >= (before?.atMs ?? -Infinity)
      ? manual.level
      : (before?.level ?? current.level);
  const from = levelValue(fromLevel);
  const brightness = fade(from, levelValue(current.level), current.atMs, nowMs, settings.fadeMs);
  return { level: current.level, brightness, from, since: current.atMs };
}

/**
 * The night at `nowMs`. `previous` (the last answer for the same settings and manual level) is
 * reused between its transition and the next one (a fade step only moves the brightness); a clock
 * step out of that span computes afresh.
 */
export function nightAt(
  settings: NightSettings,
  nowMs: number,
  manual?: ManualLevel | undefined,
  previous?: Night | undefined,
): Night {
  if (
    previous !== undefined &&
    nowMs >= (previous.sinceMs ?? previous.steadyFromMs) &&
    nowMs < (previous.next?.atMs ?? Number.POSITIVE_INFINITY)
  ) {
    const brightness =
      previous.sinceMs === undefined
        ? previous.brightness
        : fade(previous.fadeFrom, levelValue(previous.level), previous.sinceMs, nowMs, settings.fadeMs);
    return { ...previous, brightness, wakeInMs: wakeFor(nowMs, previous.steadyFromMs, previous.next) };
  }
  const next = nextTransition(settings, nowMs);
  const plan = scheduled(settings, nowMs, manual);
  const manualHolds =
    manual !== undefined && manual.atMs <= nowMs && manual.atMs >= (plan.since ?? Number.NEGATIVE_INFINITY);
  if (manualHolds) {
    const from = scheduled(settings, manual.atMs, undefined).brightness;
    const steadyFromMs = manual.atMs + settings.fadeMs;
    return {
      level: manual.level,
      brightness: fade(from, levelValue(manual.level), manual.atMs, nowMs, settings.fadeMs),
      manual: true,
      sinceMs: manual.atMs,
      steadyFromMs,
      fadeFrom: from,
      next,
      wakeInMs: wakeFor(nowMs, steadyFromMs, next),
    };
  }
  const steadyFromMs = plan.since === undefined ? nowMs : plan.since + settings.fadeMs;
  return {
    level: plan.level,
    brightness: plan.brightness,
    manual: false,
    sinceMs: plan.since,
    steadyFromMs,
    fadeFrom: plan.from,
    next,
    wakeInMs: wakeFor(nowMs, steadyFromMs, next),
  };
}
