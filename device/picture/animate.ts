/** One breath of a pulsing pixel: 2 s, slow enough to read as "in progress", not as an alarm. */
export const PULSE_PERIOD_MS = 2000;
/** The dimmest point of a pulse, as a fraction of full brightness; never off, never mistaken for off. */
export const PULSE_MIN = 0.3;
/** Frame interval while anything pulses: 20 frames a second (boards with a slower limit coalesce). */
export const PULSE_FRAME_MS = 50;
/** The status pixel: 500 ms indicator, 500 ms what lies beneath. */
export const BLINK_PERIOD_MS = 1000;
/** A flashing pixel: 200 ms full colour, 200 ms at FLASH_LOW. */
export const FLASH_PERIOD_MS = 400;
/** The low half of a flash, as a fraction of full brightness. */
export const FLASH_LOW = 0.15;
/** An acknowledged or snoozed urgent pixel: steady at 40% of its colour. */
export const QUIET_LEVEL = 0.4;
/** Identify: 125 ms white, 125 ms off. */
export const IDENTIFY_PERIOD_MS = 250;
/** How long identify blinks when the caller does not say: 5 s. */
export const IDENTIFY_MS = 5000;
/** The fleet's brightness while disconnected: 30%, visibly stale, colours still readable. */
export const DISCONNECTED_DIM = 0.3;

function phase(nowMs: number, periodMs: number): number {
  return (((nowMs % periodMs) + periodMs) % periodMs) / periodMs;
}

/** Brightness factor of a pulsing pixel at `nowMs`: 1 at whole periods, PULSE_MIN half-way. */
export function pulseFactor(nowMs: number): number {
  return PULSE_MIN + (1 - PULSE_MIN) * (0.5 + 0.5 * Math.cos(2 * Math.PI * phase(nowMs, PULSE_PERIOD_MS)));
}

/** True in the first half of each period (blink "on"). */
export function blinkOn(nowMs: number, periodMs: number): boolean {
  return phase(nowMs, periodMs) < 0.5;
}

/** Milliseconds until `blinkOn` next changes (at least 1). */
export function msToToggle(nowMs: number, periodMs: number): number {
  const half = periodMs / 2;
  const into = ((nowMs % half) + half) % half;
  return Math.max(1, Math.ceil(half - into));
}
