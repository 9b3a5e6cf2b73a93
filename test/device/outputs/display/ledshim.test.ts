import { describe, expect, it } from 'vitest';
import { enableBytesFor } from '../../../../device/outputs/display/boards/is31fl3731.ts';
import {
  createLedShim,
  LED_SHIM,
  LED_SHIM_ENABLE,
} from '../../../../device/outputs/display/boards/ledshim.ts';
import { blankFrame } from '../../../../device/picture/frame.ts';
import { FakeI2cBus } from '../../../fakes/display/fake-i2c-bus.ts';
import { hex } from '../../../fakes/display/hex.ts';
import { at, onePixel, uniqueFrame } from './frames.ts';
import { initSequence, pwmWith, showFrame } from './is31.ts';

/** docs/reference/hardware.md §5.3, LED SHIM enable bytes as printed. */
const ENABLE = '00 BF 3E 3E 3F BE 07 86 30 30 3F BE 3F BE 7F FE 7F 00';

/** docs/reference/hardware.md §5.5, LED SHIM "pixel | R | G | B" offsets as printed. */
// biome-ignore format: one pixel per triple, as printed
const SECTION_5_5: readonly (readonly [number, number, number])[] = [
  [118, 69, 85], [117, 68, 101], [116, 84, 100], [115, 83, 99], [114, 82, 98], [113, 81, 97], [112, 80, 96],
  [134, 21, 37], [133, 20, 36], [132, 19, 35], [131, 18, 34], [130, 17, 50], [129, 33, 49], [128, 32, 48],
  [127, 47, 63], [121, 41, 57], [122, 25, 58], [123, 26, 42], [124, 27, 43], [125, 28, 44], [126, 29, 45],
  [15, 95, 111], [8, 89, 105], [9, 90, 106], [10, 91, 107], [11, 92, 108], [12, 76, 109], [13, 77, 93],
];

async function openShim() {
  const bus = new FakeI2cBus();
  const board = createLedShim(async () => bus);
  await board.open();
  return { bus, board };
}

describe('LED SHIM (IS31FL3731, docs/reference/hardware.md §5)', () => {
  it('is a 28x1 row at I2C address 0x75', async () => {
    expect(LED_SHIM).toMatchObject({ width: 28, height: 1, brightness: 'software', capLevel: 255 });
    const { bus } = await openShim();
    expect(new Set(bus.writes.map((w) => w.address))).toEqual(new Set([0x75]));
  });

  it('sends the §5.3 init sequence byte for byte, with the blank frame written to frame 0', async () => {
    const { bus } = await openShim();
    expect(bus.log()).toEqual(initSequence(0x75, ENABLE, 0));
  });

  it('has enable bytes that match docs/reference/hardware.md and are exactly the LUT entries 0-27', () => {
    expect(hex(LED_SHIM_ENABLE)).toBe(ENABLE);
    expect(hex(enableBytesFor(28))).toBe(ENABLE);
  });

  it('writes a full frame with pixel x at LUT entry x', async () => {
    const { bus, board } = await openShim();
    bus.clear();
    await board.show(uniqueFrame(28, 1));
    const entries = SECTION_5_5.flatMap(([r, g, b], x) => [
      [r, x + 1],
      [g, 1],
      [b, 200 - x],
    ]) as [number, number][];
    expect(bus.log()).toEqual(showFrame(0x75, 0, pwmWith(entries)));
  });

  it('always writes frame 0, the one shown: no double buffering', async () => {
    const { bus, board } = await openShim();
    bus.clear();
    for (let i = 0; i < 3; i++) await board.show(blankFrame(28, 1));
    const pages = bus.log().filter((line) => line.startsWith('75: FD 0') && line !== '75: FD 0B');
    expect(pages).toEqual(['75: FD 00', '75: FD 00', '75: FD 00']);
  });

  it.each([
    { end: 'first (x = 0)', x: 0 },
    { end: 'last (x = 27)', x: 27 },
  ])('lights the $end pixel at its three PWM registers only', async ({ x }) => {
    const { bus, board } = await openShim();
    bus.clear();
    await board.show(onePixel(28, 1, x, 0, [0x11, 0x22, 0x33]));
    const [r, g, b] = at(SECTION_5_5, x);
    expect(bus.log()).toEqual(
      showFrame(
        0x75,
        0,
        pwmWith([
          [r, 0x11],
          [g, 0x22],
          [b, 0x33],
        ]),
      ),
    );
  });

  it('shows a blank frame then shuts the chip down on close, once', async () => {
    const { bus, board } = await openShim();
    bus.clear();
    await board.close();
    await board.close();
    expect(bus.log()).toEqual([...showFrame(0x75, 0, new Uint8Array(144)), '75: FD 0B', '75: 0A 00']);
    expect(bus.closeCount).toBe(1);
  });
});
