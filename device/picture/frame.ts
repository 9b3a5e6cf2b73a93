/** Small pure helpers over Frame: create, check, read and write one pixel. */
export type Rgb = readonly [r: number, g: number, b: number];

export function blankFrame(width: number, height: number): Frame {
  return { width, height, rgb: new Uint8Array(width * height * 3) };
}

/**
 * Throws unless `frame` is exactly `width` x `height` with width*height*3 bytes. `who` names the
 * display in the message, e.g. "display unicornhatmini (rotation 90)".
 */
export function assertFrameSize(frame: Frame, width: number, height: number, who: string): void {
  if (frame.width !== width || frame.height !== height) {
    throw new Error(
      `frame is ${frame.width}x${frame.height} but ${who} is ${width}x${height}; ` +
        `render frames of display.width x display.height`,
    );
  }
  const expected = width * height * 3;
  if (frame.rgb.length !== expected) {
    throw new Error(
      `frame ${width}x${height} carries ${frame.rgb.length} bytes, expected ${expected} ` +
        `(3 bytes R,G,B per pixel, row-major)`,
    );
  }
}

export function getPixel(frame: Frame, x: number, y: number): Rgb {
  const i = (y * frame.width + x) * 3;
  const { rgb } = frame;
  return [rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0];
}

/** Mutates `frame.rgb`; for building frames in callers and tests. */
export function setPixel(frame: Frame, x: number, y: number, [r, g, b]: Rgb): void {
  if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) {
    throw new Error(`pixel (${x},${y}) is outside the ${frame.width}x${frame.height} frame`);
  }
  const i = (y * frame.width + x) * 3;
  frame.rgb[i] = r;
  frame.rgb[i + 1] = g;
  frame.rgb[i + 2] = b;
}

/** Logical frame: row-major RGB, 3 bytes per pixel, (0,0) top-left, width*height*3 bytes. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** A board's rotation in degrees, clockwise (config `display.rotation`). */
export type Rotation = 0 | 90 | 180 | 270;

/** A width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Logical size of a board of `physical` size under `rotation`. */
export function logicalSize(physical: Size, rotation: Rotation): Size {
  return rotation === 90 || rotation === 270
    ? { width: physical.height, height: physical.width }
    : { width: physical.width, height: physical.height };
}
