import { describe, expect, it } from 'vitest';
import {
  createUnicornHatMini,
  miniBrightnessLevel,
  UNICORN_HAT_MINI,
} from '../../../../device/outputs/display/boards/unicornhatmini.ts';
import { blankFrame, setPixel } from '../../../../device/picture/frame.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';
import { zeros } from '../../../fakes/display/hex.ts';
import { at, onePixel } from './frames.ts';

/** docs/reference/hardware.md §4.3 as printed: row x (0-8), column y (0-6), "R,G,B" offsets in one controller's RAM. */
const SECTION_4_3 = `
| 0 | CE0: 139,138,137 | CE0: 223,222,221 | CE0: 167,166,165 | CE0: 195,194,193 | CE0: 111,110,109 | CE0: 55,54,53 | CE0: 83,82,81 |
| 1 | CE0: 136,135,134 | CE0: 220,219,218 | CE0: 164,163,162 | CE0: 192,191,190 | CE0: 108,107,106 | CE0: 52,51,50 | CE0: 80,79,78 |
| 2 | CE0: 113,115,114 | CE0: 197,199,198 | CE0: 141,143,142 | CE0: 169,171,170 | CE0: 85,87,86 | CE0: 29,31,30 | CE0: 57,59,58 |
| 3 | CE0: 116,118,117 | CE0: 200,202,201 | CE0: 144,146,145 | CE0: 172,174,173 | CE0: 88,90,89 | CE0: 32,34,33 | CE0: 60,62,61 |
| 4 | CE0: 119,121,120 | CE0: 203,205,204 | CE0: 147,149,148 | CE0: 175,177,176 | CE0: 91,93,92 | CE0: 35,37,36 | CE0: 63,65,64 |
| 5 | CE0: 122,124,123 | CE0: 206,208,207 | CE0: 150,152,151 | CE0: 178,180,179 | CE0: 94,96,95 | CE0: 38,40,39 | CE0: 66,68,67 |
| 6 | CE0: 125,127,126 | CE0: 209,211,210 | CE0: 153,155,154 | CE0: 181,183,182 | CE0: 97,99,98 | CE0: 41,43,42 | CE0: 69,71,70 |
| 7 | CE0: 128,130,129 | CE0: 212,214,213 | CE0: 156,158,157 | CE0: 184,186,185 | CE0: 100,102,101 | CE0: 44,46,45 | CE0: 72,74,73 |
| 8 | CE0: 131,133,132 | CE0: 215,217,216 | CE0: 159,161,160 | CE0: 187,189,188 | CE0: 103,105,104 | CE0: 47,49,48 | CE0: 75,77,76 |`;

const TABLE: number[][][] = SECTION_4_3.trim()
  .split('\n')
  .map((line) =>
    [...line.matchAll(/CE0: (\d+),(\d+),(\d+)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]),
  );

/** Controller (0 = CE0, 1 = CE1) and R, G, B offsets of (x, y): the right half reuses column x - 9. */
function offsetsOf(x: number, y: number): { cs: 0 | 1; rgb: number[] } {
  const rgb = TABLE[x % 9]?.[y];
  if (rgb === undefined) throw new Error(`no table entry for ${x},${y}`);
  return { cs: x < 9 ? 0 : 1, rgb };
}

async function openMini(brightness = 0.5) {
  const buses = [new FakeSpiBus(), new FakeSpiBus()] as const;
  const board = createUnicornHatMini({ openSpi: async (cs) => buses[cs], brightness });
  await board.open();
  return { buses, board };
}

describe('Unicorn HAT Mini (docs/reference/hardware.md §4)', () => {
  it('is 17x7 with hardware brightness', () => {
    expect(UNICORN_HAT_MINI).toMatchObject({ width: 17, height: 7, brightness: 'hardware' });
    expect(TABLE.flat()).toHaveLength(63);
  });

  it("sends Pimoroni's init sequence to each controller, then the configured brightness", async () => {
    const { buses } = await openMini(0.5);
    const init = [
      'CC',
      '37 01',
      '20 00',
      '35 00',
      `80 00 ${zeros(224)}`,
      '41 FF',
      '42 FF FF FF FF',
      '35 03',
      '37 1F',
    ];
    expect(buses[0].log()).toEqual(init);
    expect(buses[1].log()).toEqual(init);
  });

  it('maps brightness 0..1 to the 0-63 register like int(63 * b), never 0 unless asked', () => {
    expect(miniBrightnessLevel(1)).toBe(63);
    expect(miniBrightnessLevel(0.5)).toBe(31);
    expect(miniBrightnessLevel(0.01)).toBe(1);
    expect(miniBrightnessLevel(0)).toBe(0);
  });

  it('writes a full frame as 80 00 + 224 six-bit bytes per controller, at the §4.3 offsets', async () => {
    const { buses, board } = await openMini();
    buses[0].clear();
    buses[1].clear();
    const frame = blankFrame(17, 7);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 17; x++) setPixel(frame, x, y, [(x + 1) * 8, (y + 1) * 16, 255 - 4 * x - y]);
    }
    await board.show(frame);
    const expected = [new Uint8Array(226), new Uint8Array(226)];
    for (const ram of expected) ram.set([0x80, 0x00]);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 17; x++) {
        const { cs, rgb } = offsetsOf(x, y);
        const values = [(x + 1) * 8, (y + 1) * 16, 255 - 4 * x - y].map((v) => v >> 2);
        rgb.forEach((offset, c) => {
          at(expected, cs)[2 + offset] = at(values, c);
        });
      }
    }
    expect(buses[0].transfers).toEqual([expected[0]]);
    expect(buses[1].transfers).toEqual([expected[1]]);
  });

  it.each([
    { corner: 'top-left (0,0)', x: 0, y: 0, cs: 0, rgb: [139, 138, 137] },
    { corner: 'top-right (16,0)', x: 16, y: 0, cs: 1, rgb: [128, 130, 129] },
    { corner: 'bottom-left (0,6)', x: 0, y: 6, cs: 0, rgb: [83, 82, 81] },
    { corner: 'bottom-right (16,6)', x: 16, y: 6, cs: 1, rgb: [72, 74, 73] },
  ])('lights the $corner pixel on CE$cs at RAM offsets $rgb only', async ({ x, y, cs, rgb }) => {
    const { buses, board } = await openMini();
    buses[0].clear();
    buses[1].clear();
    await board.show(onePixel(17, 7, x, y, [0x40, 0x80, 0xfc]));
    const lit = new Uint8Array(226);
    lit.set([0x80, 0x00]);
    lit[2 + at(rgb, 0)] = 0x10;
    lit[2 + at(rgb, 1)] = 0x20;
    lit[2 + at(rgb, 2)] = 0x3f;
    const dark = new Uint8Array(226);
    dark.set([0x80, 0x00]);
    expect(at(buses, cs).last()).toEqual(lit);
    expect(at(buses, 1 - cs).last()).toEqual(dark);
  });

  it('keeps a channel below 4 lit as gray 1 instead of shifting it to 0', async () => {
    const { buses, board } = await openMini();
    await board.show(onePixel(17, 7, 0, 0, [3, 1, 0]));
    const ram = buses[0].last();
    expect([ram[2 + 139], ram[2 + 138], ram[2 + 137]]).toEqual([1, 1, 0]);
  });

  it('blanks the RAM then shuts each controller down on close, once', async () => {
    const { buses, board } = await openMini();
    await board.show(onePixel(17, 7, 3, 3, [255, 255, 255]));
    buses[0].clear();
    buses[1].clear();
    await board.close();
    await board.close();
    for (const bus of buses) {
      expect(bus.log()).toEqual([`80 00 ${zeros(224)}`, '41 00', '42 00 00 00 00', '35 00']);
      expect(bus.closeCount).toBe(1);
    }
  });

  it('releases the left controller when the right one fails to open', async () => {
    const left = new FakeSpiBus();
    const board = createUnicornHatMini({
      openSpi: async (cs) => {
        if (cs === 1) throw new Error('no /dev/spidev0.1');
        return left;
      },
      brightness: 0.5,
    });
    await expect(board.open()).rejects.toThrow('no /dev/spidev0.1');
    await board.close();
    await board.close();
    expect(left.closeCount).toBe(1);
  });

  it('does nothing on close when open never ran', async () => {
    const bus = new FakeSpiBus();
    const board = createUnicornHatMini({ openSpi: async () => bus, brightness: 1 });
    await board.close();
    expect(bus.transfers).toEqual([]);
  });
});
