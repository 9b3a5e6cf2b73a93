/**
 * A frame as truecolour ANSI half-blocks (pure): each text row carries two pixel rows, the upper
 * half block "▀" in the top pixel's colour (foreground) over the bottom pixel's (background). A
 * terminal cell is about twice as tall as wide, so each pixel comes out square. Truecolour
 * (SGR 38;2 / 48;2) works in every current terminal and over SSH; nothing here depends on the host.
 */
import type { Frame } from '../../../picture/frame.ts';
import { getPixel, type Rgb } from '../../../picture/frame.ts';

export const ESC = '\x1b';
export const RESET = `${ESC}[0m`;
export const HALF_BLOCK = '▀';
/** An unlit LED is drawn dark grey, not black, so the grid stays visible on a black terminal. */
export const UNLIT: Rgb = [40, 40, 40];

function lit(rgb: Rgb): Rgb {
  return rgb[0] === 0 && rgb[1] === 0 && rgb[2] === 0 ? UNLIT : rgb;
}

/**
 * Whether to write colour to `output`: FORCE_COLOR (any value but "0" or "false") says yes,
 * NO_COLOR (any non-empty value, no-color.org) says no, and otherwise only a terminal gets it.
 */
export function wantsColor(
  output: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return output.isTTY === true;
}

export function fg([r, g, b]: Rgb): string {
  return `${ESC}[38;2;${r};${g};${b}m`;
}

export function bg([r, g, b]: Rgb): string {
  return `${ESC}[48;2;${r};${g};${b}m`;
}

/** ceil(height / 2) lines, each ending in a colour reset; an odd last row has the default background. */
export function drawPicture(frame: Frame): string[] {
  const lines: string[] = [];
  for (let y = 0; y < frame.height; y += 2) {
    let line = '';
    for (let x = 0; x < frame.width; x++) {
      const top = fg(lit(getPixel(frame, x, y)));
      const bottom = y + 1 < frame.height ? bg(lit(getPixel(frame, x, y + 1))) : `${ESC}[49m`;
      line += `${top}${bottom}${HALF_BLOCK}`;
    }
    lines.push(line + RESET);
  }
  return lines;
}
