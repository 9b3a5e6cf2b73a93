import { describe, expect, it } from 'vitest';
import { enableBytesFor } from '../../../../device/outputs/display/boards/is31fl3731.ts';
import {
  createRgbMatrix5x5,
  RGB_MATRIX_5X5,
  RGB_MATRIX_5X5_ENABLE,
} from '../../../../device/outputs/display/boards/rgbmatrix5x5.ts';
import { blankFrame } from '../../../../device/picture/frame.ts';
import { FakeI2cBus } from '../../../fakes/display/fake-i2c-bus.ts';
import { hex } from '../../../fakes/display/hex.ts';
import { at, onePixel, uniqueFrame } from './frames.ts';
import { initSequence, pwmWith, showFrame } from './is31.ts';

/** docs/reference/hardware.md §5.3, RGB Matrix 5x5 enable bytes as printed. */
const ENABLE = '00 87 3E 3E 3F BE 07 86 30 00 3F 8E 3F 8E 7F FE 7F 00';

/** docs/reference/hardware.md §5.5, the 5x5 cells "#LUT index: R,G,B offsets" as printed, rows y = 0..4. */
const SECTION_5_5 = `
| 0 | #0: 118,69,85 | #9: 132,19,35 | #10: 131,18,34 | #19: 125,28,44 | #20: 126,29,45 |
| 1 | #1: 117,68,101 | #8: 133,20,36 | #11: 130,17,50 | #18: 124,27,43 | #21: 15,95,111 |
| 2 | #2: 116,84,100 | #7: 134,21,37 | #12: 129,33,49 | #17: 123,26,42 | #22: 8,89,105 |
| 3 | #3: 115,83,99 | #6: 112,80,96 | #13: 128,32,48 | #16: 122,25,58 | #23: 9,90,106 |
| 4 | #4: 114,82,98 | #5: 113,81,97 | #14: 127,47,63 | #15: 121,41,57 | #24: 10,91,107 |`;

const CELLS: number[][][] = SECTION_5_5.trim()
  .split('\n')
  .map((line) =>
    [...line.matchAll(/#\d+: (\d+),(\d+),(\d+)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]),
  );

function offsets(x: number, y: number): [number, number, number] {
  const cell = CELLS[y]?.[x];
  if (cell === undefined) throw new Error(`no cell ${x},${y}`);
  return [at(cell, 0), at(cell, 1), at(cell, 2)];
}

async function open5x5() {
  const bus = new FakeI2cBus();
  const board = createRgbMatrix5x5(async () => bus);
  await board.open();
  return { bus, board };
}

describe('RGB Matrix 5x5 (IS31FL3731, docs/reference/hardware.md §5)', () => {
  it('is 5x5 at I2C address 0x74 with software brightness', async () => {
    expect(RGB_MATRIX_5X5).toMatchObject({ width: 5, height: 5, brightness: 'software', capLevel: 255 });
    const { bus } = await open5x5();
    expect(new Set(bus.writes.map((w) => w.address))).toEqual(new Set([0x74]));
  });

  it('sends the §5.3 init sequence byte for byte, blank frame 1 shown and both frames enabled', async () => {
    const { bus } = await open5x5();
    expect(bus.log()).toEqual(initSequence(0x74, ENABLE, 1));
  });

  it('has enable bytes that match docs/reference/hardware.md and are exactly the LUT entries 0-24', () => {
    expect(hex(RGB_MATRIX_5X5_ENABLE)).toBe(ENABLE);
    expect(hex(enableBytesFor(25))).toBe(ENABLE);
  });

  it('writes a full frame into the hidden frame and then shows it, every pixel at its §5.5 offsets', async () => {
    const { bus, board } = await open5x5();
    bus.clear();
    await board.show(uniqueFrame(5, 5));
    const entries: [number, number][] = [];
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        const [r, g, b] = offsets(x, y);
        entries.push([r, x + 1], [g, y + 1], [b, 200 - x - y]);
      }
    }
    expect(bus.log()).toEqual(showFrame(0x74, 0, pwmWith(entries)));
  });

  it('alternates frames 0 and 1, so the shown frame is never the one being written', async () => {
    const { bus, board } = await open5x5();
    bus.clear();
    for (let i = 0; i < 3; i++) await board.show(blankFrame(5, 5));
    const shown = bus.log().filter((line) => line.startsWith('74: 01 '));
    expect(shown).toEqual(['74: 01 00', '74: 01 01', '74: 01 00']);
  });

  it('never sends a block of more than 32 bytes', async () => {
    const { bus, board } = await open5x5();
    await board.show(uniqueFrame(5, 5));
    const sizes = bus.writes.filter((w) => w.kind === 'block').map((w) => w.data.length);
    expect(Math.max(...sizes)).toBe(32);
  });

  it.each([
    { corner: 'top-left (0,0)', x: 0, y: 0 },
    { corner: 'top-right (4,0)', x: 4, y: 0 },
    { corner: 'bottom-left (0,4)', x: 0, y: 4 },
    { corner: 'bottom-right (4,4)', x: 4, y: 4 },
  ])('lights the $corner pixel at its three PWM registers only', async ({ x, y }) => {
    const { bus, board } = await open5x5();
    bus.clear();
    await board.show(onePixel(5, 5, x, y, [0x11, 0x22, 0x33]));
    const [r, g, b] = offsets(x, y);
    expect(bus.log()).toEqual(
      showFrame(
        0x74,
        0,
        pwmWith([
          [r, 0x11],
          [g, 0x22],
          [b, 0x33],
        ]),
      ),
    );
  });

  it('uses the configured address, e.g. the 0x77 jumper', async () => {
    const bus = new FakeI2cBus();
    await createRgbMatrix5x5(async () => bus, 0x77).open();
    expect(bus.log()[0]).toBe('77: FD 0B');
  });

  it('shows a blank frame then shuts the chip down on close, once', async () => {
    const { bus, board } = await open5x5();
    await board.show(uniqueFrame(5, 5));
    bus.clear();
    await board.close();
    await board.close();
    expect(bus.log()).toEqual([...showFrame(0x74, 1, new Uint8Array(144)), '74: FD 0B', '74: 0A 00']);
    expect(bus.closeCount).toBe(1);
  });

  it('releases the bus when the chip does not answer during open', async () => {
    const bus = new FakeI2cBus();
    bus.failWith = Object.assign(new Error('EREMOTEIO'), { code: 'EREMOTEIO' });
    const board = createRgbMatrix5x5(async () => bus);
    await expect(board.open()).rejects.toThrow('EREMOTEIO');
    await expect(board.close()).rejects.toThrow('EREMOTEIO');
    expect(bus.closeCount).toBe(1);
    await board.close();
    expect(bus.closeCount).toBe(1);
  });
});
