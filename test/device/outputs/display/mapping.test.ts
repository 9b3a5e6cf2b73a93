import { describe, expect, it } from 'vitest';
import {
  brightnessLevel,
  IDENTITY_MAPPING,
  type Mapping,
  mapFrame,
} from '../../../../device/outputs/display/mapping.ts';
import { getPixel, logicalSize } from '../../../../device/picture/frame.ts';
import { art, golden, toArt, uniqueFrame } from './frames.ts';

const BOARD = { width: 4, height: 2 };

function geometry(change: Partial<Mapping>): Mapping {
  return { ...IDENTITY_MAPPING, ...change };
}

describe('logicalSize', () => {
  it('keeps the size at 0 and 180 and swaps width and height at 90 and 270', () => {
    const mini = { width: 17, height: 7 };
    expect(logicalSize(mini, 0)).toEqual(mini);
    expect(logicalSize(mini, 180)).toEqual(mini);
    expect(logicalSize(mini, 90)).toEqual({ width: 7, height: 17 });
    expect(logicalSize(mini, 270)).toEqual({ width: 7, height: 17 });
  });
});

describe('mapFrame geometry (golden frames on a 4x2 board)', () => {
  const wide = art(`
    RG..
    B..W`);
  const tall = art(`
    RG
    ..
    ..
    BW`);

  it('leaves the picture alone at rotation 0', () => {
    expect(toArt(mapFrame(wide, BOARD, IDENTITY_MAPPING))).toBe(golden(`RG..\nB..W`));
  });

  it('turns the picture clockwise at 90: logical top-left lands top-right', () => {
    expect(toArt(mapFrame(tall, BOARD, geometry({ rotation: 90 })))).toBe(
      golden(`
        B..R
        W..G`),
    );
  });

  it('turns the picture upside down at 180', () => {
    expect(toArt(mapFrame(wide, BOARD, geometry({ rotation: 180 })))).toBe(
      golden(`
        W..B
        ..GR`),
    );
  });

  it('turns the picture counter-clockwise at 270: logical top-left lands bottom-left', () => {
    expect(toArt(mapFrame(tall, BOARD, geometry({ rotation: 270 })))).toBe(
      golden(`
        G..W
        R..B`),
    );
  });

  it('mirrors left-right with flipX and top-bottom with flipY', () => {
    expect(toArt(mapFrame(wide, BOARD, geometry({ flipX: true })))).toBe(golden(`..GR\nW..B`));
    expect(toArt(mapFrame(wide, BOARD, geometry({ flipY: true })))).toBe(golden(`B..W\nRG..`));
    expect(toArt(mapFrame(wide, BOARD, geometry({ flipX: true, flipY: true })))).toBe(
      toArt(mapFrame(wide, BOARD, geometry({ rotation: 180 }))),
    );
  });

  it('flips after rotating, as seen on the board', () => {
    expect(toArt(mapFrame(tall, BOARD, geometry({ rotation: 90, flipX: true })))).toBe(
      golden(`
        R..B
        G..W`),
    );
  });

  it('places every logical pixel on exactly one physical pixel under every rotation and flip', () => {
    for (const rotation of [0, 90, 180, 270] as const) {
      for (const flipX of [false, true]) {
        for (const flipY of [false, true]) {
          const physical = { width: 17, height: 7 };
          const logical = logicalSize(physical, rotation);
          const frame = uniqueFrame(logical.width, logical.height);
          const out = mapFrame(frame, physical, geometry({ rotation, flipX, flipY }));
          const seen = new Set<string>();
          for (let y = 0; y < physical.height; y++) {
            for (let x = 0; x < physical.width; x++) seen.add(getPixel(out, x, y).join(','));
          }
          expect(seen.size).toBe(17 * 7);
        }
      }
    }
  });

  it('throws naming both sizes when the frame does not fit the rotated board', () => {
    expect(() => mapFrame(wide, BOARD, geometry({ rotation: 90 }))).toThrow(
      'frame is 4x2 but a 4x2 board at rotation 90 takes 2x4',
    );
  });
});

describe('brightness', () => {
  it('converts 0..1 to a level 0..255, so the default 0.5 is 128', () => {
    expect(brightnessLevel(0, 255)).toBe(0);
    expect(brightnessLevel(0.5, 255)).toBe(128);
    expect(brightnessLevel(1, 255)).toBe(255);
  });

  it("clamps to the board's cap instead of scaling into it", () => {
    expect(brightnessLevel(1, 128)).toBe(128);
    expect(brightnessLevel(0.9, 128)).toBe(128);
    expect(brightnessLevel(0.3, 128)).toBe(77);
  });

  it('rejects a brightness outside 0-1 and names the config key', () => {
    expect(() => brightnessLevel(1.5, 255)).toThrow(
      'brightness 1.5 out of range 0-1; check display.brightness',
    );
    expect(() => brightnessLevel(Number.NaN, 255)).toThrow('out of range');
  });

  it('scales and gamma-corrects every channel of the mapped frame', () => {
    const white = art('W');
    const out = mapFrame(white, { width: 1, height: 1 }, geometry({ level: 128, gamma: true }));
    expect(Array.from(out.rgb)).toEqual([55, 55, 55]); // gamma[128] = 55 (docs/reference/hardware.md §7.1)
    const linear = mapFrame(white, { width: 1, height: 1 }, geometry({ level: 128, gamma: false }));
    expect(Array.from(linear.rgb)).toEqual([128, 128, 128]);
  });
});
