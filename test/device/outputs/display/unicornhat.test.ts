import { describe, expect, it } from 'vitest';
import {
  createUnicornHat,
  UNICORN_HAT,
  UNICORN_PHAT,
} from '../../../../device/outputs/display/boards/unicornhat.ts';
import { describeLeds0Mode, leds0Mode } from '../../../../device/outputs/display/boards/ws2812-backend.ts';
import {
  KERNEL_GAMMA_INVERSE,
  openLeds0Strip,
  openWs281xStrip,
} from '../../../../device/outputs/display/boards/ws2812-strip.ts';
import { LED_GAMMA } from '../../../../device/outputs/display/gamma.ts';
import { FakeLedsDevice } from '../../../fakes/display/fake-leds-device.ts';
import { FakeWs281xChannel } from '../../../fakes/display/fake-ws281x-channel.ts';
import { hex } from '../../../fakes/display/hex.ts';
import { at, onePixel, uniqueFrame } from './frames.ts';

/** docs/reference/hardware.md §2.3, Unicorn HAT LED index of (x, y) as printed, rows y = 0..7. */
const SECTION_2_3_HAT = `
| 0 | 0 | 15 | 16 | 31 | 32 | 47 | 48 | 63 |
| 1 | 1 | 14 | 17 | 30 | 33 | 46 | 49 | 62 |
| 2 | 2 | 13 | 18 | 29 | 34 | 45 | 50 | 61 |
| 3 | 3 | 12 | 19 | 28 | 35 | 44 | 51 | 60 |
| 4 | 4 | 11 | 20 | 27 | 36 | 43 | 52 | 59 |
| 5 | 5 | 10 | 21 | 26 | 37 | 42 | 53 | 58 |
| 6 | 6 | 9 | 22 | 25 | 38 | 41 | 54 | 57 |
| 7 | 7 | 8 | 23 | 24 | 39 | 40 | 55 | 56 |`;

const HAT_INDEX: number[][] = SECTION_2_3_HAT.trim()
  .split('\n')
  .map((line) => line.split('|').slice(2, 10).map(Number));

/** docs/reference/hardware.md §2.3, pHAT: row-major, index = 8y + x (rows 0-7, 8-15, 16-23, 24-31 as printed). */
const PHAT_INDEX: number[][] = [0, 1, 2, 3].map((y) => Array.from({ length: 8 }, (_, x) => 8 * y + x));

async function withLeds0(kind: 'unicornhat' | 'unicornphat') {
  const leds = kind === 'unicornhat' ? 64 : 32;
  const device = new FakeLedsDevice(leds);
  const board = createUnicornHat(kind, () => openLeds0Strip(async () => device));
  await board.open();
  return { device, board, leds };
}

async function withWs281x(kind: 'unicornhat' | 'unicornphat') {
  const channel = new FakeWs281xChannel();
  const board = createUnicornHat(kind, () => openWs281xStrip(async () => channel));
  await board.open();
  return { channel, board };
}

describe('Unicorn HAT and pHAT (WS2812, docs/reference/hardware.md §2)', () => {
  it('are 8x8 and 8x4, capped at 128/255 brightness', () => {
    expect(UNICORN_HAT).toMatchObject({ width: 8, height: 8, brightness: 'software', capLevel: 128 });
    expect(UNICORN_PHAT).toMatchObject({ width: 8, height: 4, brightness: 'software', capLevel: 128 });
  });

  describe('on /dev/leds0 (Pi 5, §2.4)', () => {
    it('opens with the one-byte brightness write 0 at offset 0 (pass-through), then a blank frame', async () => {
      const { device } = await withLeds0('unicornhat');
      expect(device.writes.map((w) => [w.position, hex(w.bytes)])).toEqual([
        [0, '00'],
        [0, hex(new Uint8Array(256))],
      ]);
    });

    it.each([
      { kind: 'unicornhat', size: [8, 8], index: HAT_INDEX },
      { kind: 'unicornphat', size: [8, 4], index: PHAT_INDEX },
    ] as const)(
      'writes a full $kind frame as R, G, B, 0 per LED in §2.3 chain order at offset 0',
      async (c) => {
        const { device, board, leds } = await withLeds0(c.kind);
        const [width, height] = c.size;
        await board.show(uniqueFrame(width, height));
        const expected = new Uint8Array(leds * 4);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++)
            expected.set([x + 1, y + 1, 200 - x - y, 0], at(at(c.index, y), x) * 4);
        }
        const last = at(device.writes, -1);
        expect(last.position).toBe(0);
        expect(hex(last.bytes)).toBe(hex(expected));
      },
    );

    it.each([
      { kind: 'unicornhat', x: 0, y: 0, led: 0 },
      { kind: 'unicornhat', x: 7, y: 0, led: 63 },
      { kind: 'unicornhat', x: 0, y: 7, led: 7 },
      { kind: 'unicornhat', x: 7, y: 7, led: 56 },
      { kind: 'unicornphat', x: 0, y: 0, led: 0 },
      { kind: 'unicornphat', x: 7, y: 0, led: 7 },
      { kind: 'unicornphat', x: 0, y: 3, led: 24 },
      { kind: 'unicornphat', x: 7, y: 3, led: 31 },
    ] as const)('lights $kind corner ($x,$y) as LED $led', async ({ kind, x, y, led }) => {
      const { device, board, leds } = await withLeds0(kind);
      await board.show(onePixel(8, kind === 'unicornhat' ? 8 : 4, x, y, [0x11, 0x22, 0x33]));
      const expected = new Uint8Array(leds * 4);
      expected.set([0x11, 0x22, 0x33, 0x00], led * 4);
      expect(hex(at(device.writes, -1).bytes)).toBe(hex(expected));
    });

    it('never writes a single byte after open, so a frame can not be taken for a brightness', async () => {
      const { device, board } = await withLeds0('unicornphat');
      await board.show(uniqueFrame(8, 4));
      await board.close();
      expect(device.writes.slice(1).every((w) => w.bytes.length === 128 && w.position === 0)).toBe(true);
    });

    it('writes a blank frame and closes the device on close, once', async () => {
      const { device, board } = await withLeds0('unicornhat');
      await board.show(uniqueFrame(8, 8));
      const before = device.writes.length;
      await board.close();
      await board.close();
      expect(device.writes.slice(before).map((w) => hex(w.bytes))).toEqual([hex(new Uint8Array(256))]);
      expect(device.closeCount).toBe(1);
    });

    it('closes the device when the brightness write fails during open', async () => {
      let closes = 0;
      const device = {
        write: async () => {
          throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        },
        close: async () => {
          closes++;
        },
      };
      const board = createUnicornHat('unicornhat', () => openLeds0Strip(async () => device));
      await expect(board.open()).rejects.toThrow('EIO');
      expect(closes).toBe(1);
      await board.close();
      expect(closes).toBe(1);
    });

    it('lights nothing at brightness 0 on a kernel without the pass-through: why the mode matters', async () => {
      const device = new FakeLedsDevice(64, { passThrough: false });
      const board = createUnicornHat('unicornhat', () => openLeds0Strip(async () => device, 'pass-through'));
      await board.open();
      await board.show(uniqueFrame(8, 8));
      expect(device.lit().every((v) => v === 0)).toBe(true);
    });

    it.each([true, false])(
      'in kernel-gamma mode opens at brightness 255 and shows every level the table can (pass-through kernel: %s)',
      async (passThrough) => {
        const device = new FakeLedsDevice(64, { passThrough });
        const board = createUnicornHat('unicornhat', () =>
          openLeds0Strip(async () => device, 'kernel-gamma'),
        );
        await board.open();
        expect(hex(at(device.writes, 0).bytes)).toBe('FF');
        // LED 0 gets one level of the gamma table's image on each channel.
        const levels = [LED_GAMMA[22] ?? 0, LED_GAMMA[128] ?? 0, 255];
        await board.show(onePixel(8, 8, 0, 0, levels as [number, number, number]));
        expect([...device.lit().subarray(0, 3)]).toEqual(levels);
      },
    );

    it('an overlay with fewer LEDs than the board: EFBIG, and the first LEDs still show', async () => {
      const device = new FakeLedsDevice(32);
      const board = createUnicornHat('unicornhat', () => openLeds0Strip(async () => device));
      await board.open().catch(() => undefined); // the blank frame on open is already too long
      await expect(board.show(onePixel(8, 8, 0, 0, [9, 8, 7]))).rejects.toThrow('EFBIG');
      expect([...device.lit().subarray(0, 3)]).toEqual([9, 8, 7]);
    });
  });

  describe('on rpi-ws281x (Pi 4 and older, §6.1)', () => {
    it('renders black on open', async () => {
      const { channel } = await withWs281x('unicornhat');
      expect(channel.renders).toEqual([new Uint32Array(64)]);
    });

    it('renders a full frame as one 0x00RRGGBB word per LED in §2.3 chain order', async () => {
      const { channel, board } = await withWs281x('unicornhat');
      await board.show(uniqueFrame(8, 8));
      const expected = new Uint32Array(64);
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++)
          expected[at(at(HAT_INDEX, y), x)] = ((x + 1) << 16) | ((y + 1) << 8) | (200 - x - y);
      }
      expect(channel.renders.at(-1)).toEqual(expected);
    });

    it.each([
      { x: 0, y: 0, led: 0 },
      { x: 7, y: 0, led: 63 },
      { x: 0, y: 7, led: 7 },
      { x: 7, y: 7, led: 56 },
    ])('lights corner ($x,$y) as LED $led', async ({ x, y, led }) => {
      const { channel, board } = await withWs281x('unicornhat');
      await board.show(onePixel(8, 8, x, y, [0x11, 0x22, 0x33]));
      const expected = new Uint32Array(64);
      expected[led] = 0x112233;
      expect(channel.renders.at(-1)).toEqual(expected);
    });

    it('renders a pHAT as 32 LEDs, row-major', async () => {
      const { channel, board } = await withWs281x('unicornphat');
      await board.show(onePixel(8, 4, 7, 3, [1, 2, 3]));
      const expected = new Uint32Array(32);
      expected[31] = 0x010203;
      expect(channel.renders.at(-1)).toEqual(expected);
    });

    it('renders black and finalizes on close, once', async () => {
      const { channel, board } = await withWs281x('unicornhat');
      await board.show(uniqueFrame(8, 8));
      await board.close();
      await board.close();
      expect(channel.renders.at(-1)).toEqual(new Uint32Array(64));
      expect(channel.renders).toHaveLength(3);
      expect(channel.closeCount).toBe(1);
    });
  });
});

describe('the /dev/leds0 mode (kernel pass-through since raspberrypi/linux#7110)', () => {
  it.each([
    ['6.12.56+rpt-rpi-2712', 'pass-through'],
    ['6.12.62+rpt-rpi-2712', 'pass-through'],
    ['6.13.0', 'pass-through'],
    ['7.0.1-v8+', 'pass-through'],
    ['6.12.55+rpt-rpi-2712', 'kernel-gamma'],
    ['6.12.47+rpt-rpi-2712', 'kernel-gamma'],
    ['6.6.74+rpt-rpi-2712', 'kernel-gamma'],
    ['not a release', 'kernel-gamma'],
  ])('kernel %s: %s', (release, mode) => {
    expect(leds0Mode(release)).toBe(mode);
  });

  it('says the mode and the fix in one line', () => {
    expect(describeLeds0Mode('6.12.47+rpt-rpi-2712')).toMatch(
      /no \/dev\/leds0 pass-through .*after 6\.12\.55/,
    );
    expect(describeLeds0Mode('6.12.62+rpt-rpi-2712')).toMatch(/passes \/dev\/leds0 values through/);
  });

  it('inverts the kernel gamma: the smallest input that reaches each level, 0 for 0', () => {
    expect(KERNEL_GAMMA_INVERSE[0]).toBe(0);
    for (let o = 1; o < 256; o++) {
      const sent = KERNEL_GAMMA_INVERSE[o] ?? 0;
      expect(LED_GAMMA[sent] ?? 0, `level ${o}`).toBeGreaterThanOrEqual(o);
      expect(LED_GAMMA[sent - 1] ?? 0, `level ${o}`).toBeLessThan(o);
    }
  });
});
