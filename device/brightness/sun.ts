/**
 * Sunrise and sunset, computed locally (pure): the NOAA solar calculator's equations (Jean Meeus,
 * "Astronomical Algorithms"), the ones behind NOAA's online calculator and its spreadsheet, accurate
 * to about a minute between the polar circles. No network, no dependency.
 *
 * Contract:
 * - `sunEvents(y, m, d, place)` gives the sunrise and sunset of the day y-m-d at `place` (the day
 *   whose solar noon at that longitude falls on y-m-d, so in Sydney the sunrise of 1 January comes at
 *   18:47 UTC on 31 December) as epoch milliseconds: the moments the sun's upper limb crosses the horizon, with standard refraction
 *   (zenith 90.833°), at sea level.
 * - On a day the sun does not rise (polar night) or does not set (polar day) the event is `undefined`,
 *   never NaN, never a throw.
 */

export interface Place {
  /** Degrees, north positive, -90..90. */
  readonly latitude: number;
  /** Degrees, east positive, -180..180. */
  readonly longitude: number;
}

export interface SunEvents {
  readonly sunrise: number | undefined;
  readonly sunset: number | undefined;
}

const RAD = Math.PI / 180;
const DAY_MS = 86_400_000;
/** The sun's upper limb on the horizon, with atmospheric refraction (NOAA). */
const ZENITH = 90.833;

/** Julian centuries since J2000.0 of epoch milliseconds `ms`. */
function centuries(ms: number): number {
  return (ms / DAY_MS + 2440587.5 - 2451545) / 36525;
}

/** The sun's declination (radians) and the equation of time (minutes) at `t` Julian centuries. */
function solar(t: number): { declination: number; equationOfTime: number } {
  const meanLong = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360;
  const meanAnomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const m = meanAnomaly * RAD;
  const center =
    Math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(2 * m) * (0.019993 - 0.000101 * t) +
    Math.sin(3 * m) * 0.000289;
  const omega = (125.04 - 1934.136 * t) * RAD;
  const apparentLong = (meanLong + center - 0.00569 - 0.00478 * Math.sin(omega)) * RAD;
  const meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
  const obliquity = (meanObliquity + 0.00256 * Math.cos(omega)) * RAD;
  const declination = Math.asin(Math.sin(obliquity) * Math.sin(apparentLong));
  const y = Math.tan(obliquity / 2) ** 2;
  const l0 = meanLong * RAD;
  const equationOfTime =
    (4 / RAD) *
    (y * Math.sin(2 * l0) -
      2 * eccentricity * Math.sin(m) +
      4 * eccentricity * y * Math.sin(m) * Math.cos(2 * l0) -
      0.5 * y * y * Math.sin(4 * l0) -
      1.25 * eccentricity * eccentricity * Math.sin(2 * m));
  return { declination, equationOfTime };
}

/** Minutes after 00:00 UTC of the event (rise: -1, set: +1) near `aroundMs`, or undefined. */
function eventMinutes(aroundMs: number, place: Place, sign: -1 | 1): number | undefined {
  const { declination, equationOfTime } = solar(centuries(aroundMs));
  const lat = place.latitude * RAD;
  const cosHourAngle =
    Math.cos(ZENITH * RAD) / (Math.cos(lat) * Math.cos(declination)) - Math.tan(lat) * Math.tan(declination);
  if (!(cosHourAngle >= -1 && cosHourAngle <= 1)) return undefined;
  const hourAngle = Math.acos(cosHourAngle) / RAD;
  return 720 - 4 * (place.longitude - sign * hourAngle) - equationOfTime;
}

/** One event: first at solar noon, then once more at the time found (NOAA's own refinement). */
function event(dayStartMs: number, place: Place, sign: -1 | 1): number | undefined {
  const noon = dayStartMs + (720 - 4 * place.longitude) * 60_000;
  const first = eventMinutes(noon, place, sign);
  if (first === undefined) return undefined;
  const second = eventMinutes(dayStartMs + first * 60_000, place, sign);
  return second === undefined ? undefined : Math.round(dayStartMs + second * 60_000);
}

/** Sunrise and sunset of the day `year`-`month`-`day` (month 1-12) at `place`. */
export function sunEvents(year: number, month: number, day: number, place: Place): SunEvents {
  const dayStartMs = Date.UTC(year, month - 1, day);
  return { sunrise: event(dayStartMs, place, -1), sunset: event(dayStartMs, place, 1) };
}
