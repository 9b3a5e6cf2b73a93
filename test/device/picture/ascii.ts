/**
 * Golden frames as ASCII art: one letter per pixel, so a layout change reads well in review.
 *
 *   G pending  B running  Y stopping  R stopped  O shutting-down  T terminated
 *   M magenta (disconnected)  C cyan (not synced)  W white (overflow, identify)  . off
 *
 * A lowercase letter is that colour dimmed (a pulse or the disconnected fleet); `?` is anything else.
 */
import type { Frame } from '../../../device/picture/frame.ts';
import { getPixel, type Rgb } from '../../../device/picture/frame.ts';
import { DEFAULT_PALETTE } from '../../../device/picture/palette.ts';

const LEGEND: readonly [string, Rgb][] = [
  ['G', DEFAULT_PALETTE.pending],
  ['B', DEFAULT_PALETTE.running],
  ['Y', DEFAULT_PALETTE.stopping],
  ['R', DEFAULT_PALETTE.stopped],
  ['O', DEFAULT_PALETTE['shutting-down']],
  ['T', DEFAULT_PALETTE.terminated],
  ['M', DEFAULT_PALETTE.disconnected],
  ['C', DEFAULT_PALETTE['not-synced']],
  ['W', DEFAULT_PALETTE.overflow],
];

function same(a: Rgb, b: Rgb): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/** True when `pixel` is `color` scaled by some factor below 1 (channels within rounding). */
function dimmed(pixel: Rgb, color: Rgb): boolean {
  const factor = Math.max(...pixel) / Math.max(...color);
  if (!(factor > 0 && factor < 1)) return false;
  return pixel.every((c, i) => Math.abs(c - Math.round((color[i] as number) * factor)) <= 1);
}

function letter(pixel: Rgb): string {
  if (same(pixel, [0, 0, 0])) return '.';
  for (const [name, color] of LEGEND) if (same(pixel, color)) return name;
  for (const [name, color] of LEGEND) if (dimmed(pixel, color)) return name.toLowerCase();
  return '?';
}

export function ascii(frame: Frame): string {
  const rows: string[] = [];
  for (let y = 0; y < frame.height; y++) {
    let row = '';
    for (let x = 0; x < frame.width; x++) row += letter(getPixel(frame, x, y));
    rows.push(row);
  }
  return rows.join('\n');
}

/** A golden frame written as an indented template literal: one row per line, blank lines ignored. */
export function art(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}
