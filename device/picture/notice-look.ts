/**
 * The look of an instance notice (fleet/notices.ts), an overlay on the instance's own pixel: a slow
 * amber breath over the state colour. The pixel's colour moves from its state colour (with whatever
 * pulse it has) to NOTICE_AMBER and back, every NOTICE_PERIOD_MS; an urgent notice (a Spot
 * interruption, shared/notice-message.ts `isUrgentNotice`) breathes faster, every
 * URGENT_NOTICE_PERIOD_MS. Distinct from every state look: those keep their hue (steady, a pulse or a
 * flash changes brightness only), the status pixel blinks on/off, identify blinks white. A pure
 * function of the clock, like animate.ts, so every notice breathes in step; one pixel is enough, so
 * it reads the same on a 1-row board.
 */
import type { Rgb } from './frame.ts';

/** Amber, away from every default state colour (the nearest, shutting-down's #ff8000, ends a notice). */
export const NOTICE_AMBER: Rgb = [255, 168, 0];
/** One breath: 3 s, slower than a pulse (2 s), so it reads as "heads up", not "in progress". */
export const NOTICE_PERIOD_MS = 3000;
/** An urgent notice: 1 s a breath. */
export const URGENT_NOTICE_PERIOD_MS = 1000;
/** At the top of a breath the pixel is this much amber; the state colour never fully goes. */
export const NOTICE_MIX = 0.8;

/** How much amber at `nowMs`: 0 at whole periods (the state colour), NOTICE_MIX half-way. */
export function noticeMix(nowMs: number, urgent: boolean): number {
  const period = urgent ? URGENT_NOTICE_PERIOD_MS : NOTICE_PERIOD_MS;
  const phase = (((nowMs % period) + period) % period) / period;
  return NOTICE_MIX * (0.5 - 0.5 * Math.cos(2 * Math.PI * phase));
}

/** `base` with the notice's breath at `nowMs`. */
export function noticeColor(base: Rgb, nowMs: number, urgent: boolean): Rgb {
  const w = noticeMix(nowMs, urgent);
  const mix = (from: number, to: number) => Math.round(from * (1 - w) + to * w);
  return [mix(base[0], NOTICE_AMBER[0]), mix(base[1], NOTICE_AMBER[1]), mix(base[2], NOTICE_AMBER[2])];
}
