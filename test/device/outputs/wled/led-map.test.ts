import { describe, expect, it } from 'vitest';
import { toneTable } from '../../../../device/outputs/display/gamma.ts';
import { type LedMapping, ledBytes, ledSize, ledSources } from '../../../../device/outputs/wled/led-map.ts';

/** Each LED's source pixel (`.` dark), by LED number, cut into rows of the matrix's width. */
function grid(mapping: LedMapping, picture: { width: number; height: number }): string[] {
  const size = ledSize(mapping, picture);
  const sources = ledSources(mapping, picture);
  const rows: string[] = [];
  for (let row = 0; row < size.height; row++) {
    rows.push(
      [...sources.subarray(row * size.width, (row + 1) * size.width)]
        .map((p) => (p < 0 ? '.' : String(p)))
        .join(' '),
    );
  }
  return rows;
}

describe('ledSources', () => {
  const picture = { width: 3, height: 2 }; // pixels 0 1 2 / 3 4 5

  it('strip: the picture row-major, each pixel on `scale` LEDs, extra LEDs dark', () => {
    expect([...ledSources({ layout: 'strip' }, picture)]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...ledSources({ layout: 'strip', scale: 2, width: 14 }, picture)]).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, -1, -1,
    ]);
    expect([...ledSources({ layout: 'strip', width: 4 }, picture)]).toEqual([0, 1, 2, 3]);
  });

  it('matrix from the top left: LED n is pixel n', () => {
    expect(grid({ layout: 'matrix' }, picture)).toEqual(['0 1 2', '3 4 5']);
  });

  it('serpentine: every other row runs back', () => {
    expect(grid({ layout: 'serpentine' }, picture)).toEqual(['0 1 2', '5 4 3']);
  });

  it('origin moves LED 0 to that corner', () => {
    expect(grid({ layout: 'matrix', origin: 'top-right' }, picture)).toEqual(['2 1 0', '5 4 3']);
    expect(grid({ layout: 'matrix', origin: 'bottom-left' }, picture)).toEqual(['3 4 5', '0 1 2']);
    expect(grid({ layout: 'serpentine', origin: 'bottom-right' }, picture)).toEqual(['5 4 3', '0 1 2']);
  });

  it('rotation turns the picture clockwise as display.rotation does', () => {
    // At 90 the picture's top-left pixel lands top right; the matrix is 2 wide, 3 high.
    expect(ledSize({ layout: 'matrix', rotation: 90 }, picture)).toEqual({ width: 2, height: 3 });
    expect(grid({ layout: 'matrix', rotation: 90 }, picture)).toEqual(['3 0', '4 1', '5 2']);
    expect(grid({ layout: 'matrix', rotation: 180 }, picture)).toEqual(['5 4 3', '2 1 0']);
    expect(grid({ layout: 'matrix', rotation: 270 }, picture)).toEqual(['2 5', '1 4', '0 3']);
  });

  it('scale 2 fills a 16x16 matrix from an 8x8 board, each pixel a 2x2 block', () => {
    const sources = ledSources({ layout: 'matrix', scale: 2 }, { width: 8, height: 8 });
    expect(sources).toHaveLength(256);
    expect([...sources.subarray(0, 4)]).toEqual([0, 0, 1, 1]);
    expect([...sources.subarray(16, 20)]).toEqual([0, 0, 1, 1]);
    expect(sources[255]).toBe(63);
    expect(sources.every((p) => p >= 0)).toBe(true);
  });

  it('scale 2 fills a 32x8 serpentine matrix from a 16x4 board', () => {
    const sources = ledSources({ layout: 'serpentine', scale: 2 }, { width: 16, height: 4 });
    expect(ledSize({ layout: 'serpentine', scale: 2 }, { width: 16, height: 4 })).toEqual({
      width: 32,
      height: 8,
    });
    expect(sources.every((p) => p >= 0)).toBe(true);
    expect([...sources.subarray(30, 34)]).toEqual([15, 15, 15, 15]); // end of row 0, back along row 1
    expect(sources[32 + 31]).toBe(0);
  });

  it('a bigger matrix leaves LEDs dark, a smaller one clips the picture', () => {
    expect(grid({ layout: 'matrix', width: 4, height: 3 }, picture)).toEqual([
      '0 1 2 .',
      '3 4 5 .',
      '. . . .',
    ]);
    expect(grid({ layout: 'matrix', width: 2, height: 1 }, picture)).toEqual(['0 1']);
  });
});

describe('ledBytes', () => {
  it('copies each LED its pixel colour through the tone table, dark LEDs 0', () => {
    const rgb = Uint8Array.from([10, 20, 30, 200, 100, 0]);
    const half = toneTable(128, false);
    expect([...ledBytes(rgb, Int32Array.from([1, -1, 0]), half)]).toEqual([100, 50, 0, 0, 0, 0, 5, 10, 15]);
  });
});
