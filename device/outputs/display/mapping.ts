/**
 * Logical frame -> physical pixel values (pure).
 *
 * Contract:
 * - Rotation turns the logical picture clockwise on the board: at 90 the logical top-left pixel lands
 *   on the board's top-right corner, at 270 on its bottom-left. Under 90 and 270 the logical width
 *   and height swap (a 17x7 board renders 7x17 frames).
 * - flipX and flipY mirror the result as seen on the board (after rotation), so they fix a board that
 *   shows a mirror image whatever its rotation. "The board" means the physical frame at the driver's
 *   rotation 0, whose true origin is unverified for several boards (docs/reference/hardware.md §8.1).
 * - Every logical pixel lands on exactly one physical pixel, and every physical pixel is written.
 * - Each channel goes through one tone table (gamma.ts): brightness level first, then gamma, with the
 *   floor that keeps a lit channel lit.
 * - Brightness is clamped to the board's safe cap, not scaled into it: brightness 0.3 means 30% on
 *   every board, and on the Unicorn HAT anything above 50% is held at 50%, the current limit
 *   Pimoroni's library enforces (docs/reference/hardware.md §2.2: 128/255).
 */
import { type Frame, logicalSize, type Rotation, type Size } from '../../picture/frame.ts';

import { toneTable } from './gamma.ts';

export interface Mapping {
  readonly rotation: Rotation;
  readonly flipX: boolean;
  readonly flipY: boolean;
  /** Software brightness 0..255 (255 leaves values unchanged), see brightnessLevel. */
  readonly level: number;
  readonly gamma: boolean;
}

/** The mapping that changes nothing: virtual boards (terminal, web, none) show logical colours. */
export const IDENTITY_MAPPING: Mapping = {
  rotation: 0,
  flipX: false,
  flipY: false,
  level: 255,
  gamma: false,
};

/**
 * Brightness 0..1 to a level 0..255, clamped to `capLevel` (the board's safe maximum, 255 = none).
 * Rounded, so the default 0.5 gives 128: exactly the Unicorn HAT cap.
 */
export function brightnessLevel(brightness: number, capLevel: number): number {
  if (!(brightness >= 0 && brightness <= 1)) {
    throw new Error(`brightness ${brightness} out of range 0-1; check display.brightness in the config`);
  }
  return Math.min(Math.round(brightness * 255), capLevel);
}

/** Physical (x, y) of logical (x, y), for a board of `physical` size. */
export function physicalPoint(
  x: number,
  y: number,
  physical: Size,
  mapping: Pick<Mapping, 'rotation' | 'flipX' | 'flipY'>,
): readonly [x: number, y: number] {
  const maxX = physical.width - 1;
  const maxY = physical.height - 1;
  let px: number;
  let py: number;
  switch (mapping.rotation) {
    case 0:
      [px, py] = [x, y];
      break;
    case 90:
      [px, py] = [maxX - y, x];
      break;
    case 180:
      [px, py] = [maxX - x, maxY - y];
      break;
    case 270:
      [px, py] = [y, maxY - x];
      break;
  }
  return [mapping.flipX ? maxX - px : px, mapping.flipY ? maxY - py : py];
}

/**
 * Maps a logical frame (already checked to be the logical size) onto a new physical frame of
 * `physical` size, with tone applied to every channel.
 */
export function mapFrame(frame: Frame, physical: Size, mapping: Mapping): Frame {
  const logical = logicalSize(physical, mapping.rotation);
  if (frame.width !== logical.width || frame.height !== logical.height) {
    throw new Error(
      `frame is ${frame.width}x${frame.height} but a ${physical.width}x${physical.height} board at ` +
        `rotation ${mapping.rotation} takes ${logical.width}x${logical.height}`,
    );
  }
  const tone = toneTable(mapping.level, mapping.gamma);
  const out = new Uint8Array(physical.width * physical.height * 3);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const [px, py] = physicalPoint(x, y, physical, mapping);
      const from = (y * frame.width + x) * 3;
      const to = (py * physical.width + px) * 3;
      for (let c = 0; c < 3; c++) out[to + c] = tone[frame.rgb[from + c] ?? 0] ?? 0;
    }
  }
  return { width: physical.width, height: physical.height, rgb: out };
}
