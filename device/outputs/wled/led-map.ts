/**
 * Board pixels to WLED LEDs (pure): which pixel of the picture each LED shows, computed once per
 * picture size, and the frame as the LEDs' bytes with a brightness and tone applied.
 *
 * Contract:
 * - `strip`: the picture read row by row, left to right, top to bottom (row-major), each pixel on
 *   `scale` LEDs in a row; `width` is the LED count (default every pixel once, times `scale`).
 * - `matrix` and `serpentine`: a `width` x `height` LED matrix seen from the front. The picture is
 *   scaled (one pixel to a `scale` x `scale` block), then turned clockwise by `rotation` as
 *   display.rotation turns a HAT (outputs/display/mapping.ts `physicalPoint`), and placed at the matrix's top
 *   left. LED 0 sits in the `origin` corner; the wiring runs along rows from there: every row the same
 *   way (`matrix`, "progressive") or back and forth (`serpentine`, zig-zag). A matrix wired along
 *   columns is a row-wired one turned by 90 or 270.
 * - LEDs beyond the picture stay dark; pixels beyond the LEDs are not shown. Nothing throws on a
 *   size: the config checks sizes at start (config.ts), a bigger picture is clipped.
 */

import type { Rotation } from '../../picture/frame.ts';
import { physicalPoint } from '../display/mapping.ts';

export type LedLayout = 'strip' | 'serpentine' | 'matrix';
export type Origin = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export interface LedMapping {
  readonly layout: LedLayout;
  /** LEDs a row (strip: the LED count); default the picture's, scaled and turned. */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /** Where LED 0 is, seen from the front; default top-left. */
  readonly origin?: Origin | undefined;
  /** Clockwise turn of the picture on the matrix; default 0. */
  readonly rotation?: Rotation | undefined;
  /** LEDs a pixel takes along each side; default 1. */
  readonly scale?: number | undefined;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** The LED count and grid of `mapping` for a picture of `picture` size. */
export function ledSize(mapping: LedMapping, picture: Size): Size {
  const scale = mapping.scale ?? 1;
  if (mapping.layout === 'strip') {
    return { width: mapping.width ?? picture.width * picture.height * scale, height: 1 };
  }
  const turned = mapping.rotation === 90 || mapping.rotation === 270;
  const w = (turned ? picture.height : picture.width) * scale;
  const h = (turned ? picture.width : picture.height) * scale;
  return { width: mapping.width ?? w, height: mapping.height ?? h };
}

/**
 * For each LED, the index of the picture pixel it shows, or -1 (dark). Length: the LED count.
 */
export function ledSources(mapping: LedMapping, picture: Size): Int32Array {
  const scale = mapping.scale ?? 1;
  const leds = ledSize(mapping, picture);
  const sources = new Int32Array(leds.width * leds.height).fill(-1);
  const pixels = picture.width * picture.height;
  if (mapping.layout === 'strip') {
    for (let i = 0; i < sources.length; i++) {
      const pixel = Math.floor(i / scale);
      if (pixel < pixels) sources[i] = pixel;
    }
    return sources;
  }
  const rotation = mapping.rotation ?? 0;
  const turned = rotation === 90 || rotation === 270;
  const scaled = { width: picture.width * scale, height: picture.height * scale };
  const placed = turned ? { width: scaled.height, height: scaled.width } : scaled;
  for (let sy = 0; sy < scaled.height; sy++) {
    for (let sx = 0; sx < scaled.width; sx++) {
      const [mx, my] = physicalPoint(sx, sy, placed, { rotation, flipX: false, flipY: false });
      if (mx >= leds.width || my >= leds.height) continue;
      const pixel = Math.floor(sy / scale) * picture.width + Math.floor(sx / scale);
      sources[ledIndex(mx, my, leds, mapping)] = pixel;
    }
  }
  return sources;
}

/** The LED number at matrix point (x, y) seen from the front, for the wiring of `mapping`. */
function ledIndex(x: number, y: number, leds: Size, mapping: LedMapping): number {
  const origin = mapping.origin ?? 'top-left';
  const row = origin.startsWith('bottom') ? leds.height - 1 - y : y;
  let column = origin.endsWith('right') ? leds.width - 1 - x : x;
  if (mapping.layout === 'serpentine' && row % 2 === 1) column = leds.width - 1 - column;
  return row * leds.width + column;
}

/**
 * The LEDs' bytes (RGB, LED 0 first) for a frame of logical colours: each LED takes its source
 * pixel's colour through `tone` (outputs/display/gamma.ts `toneTable`: brightness, then gamma if asked).
 */
export function ledBytes(rgb: Uint8Array, sources: Int32Array, tone: Uint8Array): Uint8Array {
  const out = new Uint8Array(sources.length * 3);
  for (let led = 0; led < sources.length; led++) {
    const pixel = sources[led] as number;
    if (pixel < 0) continue;
    for (let c = 0; c < 3; c++) out[led * 3 + c] = tone[rgb[pixel * 3 + c] ?? 0] ?? 0;
  }
  return out;
}
