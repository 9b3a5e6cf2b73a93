/**
 * Golden frames as ASCII art: one character per pixel, rows top to bottom. Lines are trimmed and
 * blank lines ignored, so art can be indented in a template literal.
 */
import type { Frame } from '../../../../device/picture/frame.ts';
import { blankFrame, getPixel, type Rgb, setPixel } from '../../../../device/picture/frame.ts';

export const PALETTE: Readonly<Record<string, Rgb>> = {
  '.': [0, 0, 0],
  R: [255, 0, 0],
  G: [0, 255, 0],
  B: [0, 0, 255],
  W: [255, 255, 255],
  Y: [255, 255, 0],
  C: [0, 255, 255],
  M: [255, 0, 255],
};

export function art(text: string, palette: Readonly<Record<string, Rgb>> = PALETTE): Frame {
  const rows = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const width = rows[0]?.length ?? 0;
  const frame = blankFrame(width, rows.length);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error(`art row ${y} is ${row.length} wide, expected ${width}`);
    [...row].forEach((ch, x) => {
      const rgb = palette[ch];
      if (rgb === undefined) throw new Error(`art character ${JSON.stringify(ch)} is not in the palette`);
      setPixel(frame, x, y, rgb);
    });
  });
  return frame;
}

export function toArt(frame: Frame, palette: Readonly<Record<string, Rgb>> = PALETTE): string {
  const names = new Map(Object.entries(palette).map(([ch, rgb]) => [rgb.join(','), ch]));
  const rows: string[] = [];
  for (let y = 0; y < frame.height; y++) {
    let row = '';
    for (let x = 0; x < frame.width; x++) row += names.get(getPixel(frame, x, y).join(',')) ?? '?';
    rows.push(row);
  }
  return rows.join('\n');
}

/** Trimmed art, for comparing with toArt output. */
export function golden(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** Every pixel a colour no other pixel has: R = x + 1, G = y + 1, B = 200 - x - y (all non-zero). */
export function uniqueFrame(width: number, height: number): Frame {
  const frame = blankFrame(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) setPixel(frame, x, y, [x + 1, y + 1, 200 - x - y]);
  }
  return frame;
}

/** A black frame with one pixel set. */
export function onePixel(width: number, height: number, x: number, y: number, rgb: Rgb): Frame {
  const frame = blankFrame(width, height);
  setPixel(frame, x, y, rgb);
  return frame;
}

/** items[i], or a thrown Error when it is missing: index access for tests without `!`. */
export function at<T>(items: ArrayLike<T> | undefined, i: number): T {
  const item = items?.[i < 0 ? items.length + i : i];
  if (item === undefined) throw new Error(`nothing at index ${i}`);
  return item;
}
