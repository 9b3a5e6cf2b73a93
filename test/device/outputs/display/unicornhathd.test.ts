import { describe, expect, it } from 'vitest';
import {
  createUnicornHatHd,
  HD_MIN_INTERVAL_MS,
  UNICORN_HAT_HD,
} from '../../../../device/outputs/display/boards/unicornhathd.ts';
import { blankFrame } from '../../../../device/picture/frame.ts';
import { FakeClock } from '../../../fakes/display/fake-clock.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';
import { hex, zeros } from '../../../fakes/display/hex.ts';
import { at, onePixel, uniqueFrame } from './frames.ts';

async function openHd() {
  const bus = new FakeSpiBus();
  const clock = new FakeClock();
  const board = createUnicornHatHd({ openSpi: async () => bus, clock });
  await board.open();
  clock.advance(1000);
  return { bus, clock, board };
}

describe('Unicorn HAT HD (docs/reference/hardware.md §3)', () => {
  it('is 16x16 with software brightness and no cap', () => {
    expect(UNICORN_HAT_HD).toMatchObject({ width: 16, height: 16, brightness: 'software', capLevel: 255 });
  });

  it('has no init sequence: open sends one blank frame, 0x72 then 768 zero bytes', async () => {
    const { bus } = await openHd();
    expect(bus.log()).toEqual([`72 ${zeros(768)}`]);
  });

  it('sends a full frame as one 769-byte transfer, stream slot s carrying pixel (s div 16, s mod 16)', async () => {
    const { bus, board } = await openHd();
    await board.show(uniqueFrame(16, 16));
    const sent = bus.last();
    expect(sent).toHaveLength(769);
    expect(sent[0]).toBe(0x72);
    for (let s = 0; s < 256; s++) {
      const x = Math.floor(s / 16);
      const y = s % 16;
      expect([sent[1 + 3 * s], sent[2 + 3 * s], sent[3 + 3 * s]]).toEqual([x + 1, y + 1, 200 - x - y]);
    }
  });

  it.each([
    { corner: 'top-left (0,0)', x: 0, y: 0, at: 1 },
    { corner: 'top-right (15,0)', x: 15, y: 0, at: 721 },
    { corner: 'bottom-left (0,15)', x: 0, y: 15, at: 46 },
    { corner: 'bottom-right (15,15)', x: 15, y: 15, at: 766 },
  ])('puts the $corner pixel at bytes $at..$at+2 as R, G, B', async ({ x, y, at }) => {
    const { bus, board } = await openHd();
    await board.show(onePixel(16, 16, x, y, [0x11, 0x22, 0x33]));
    const sent = bus.last();
    const expected = new Uint8Array(769);
    expected[0] = 0x72;
    expected.set([0x11, 0x22, 0x33], at);
    expect(hex(sent)).toBe(hex(expected));
  });

  it('waits at least 1/120 s between the end of one frame and the start of the next', async () => {
    const { bus, clock, board } = await openHd();
    const sentAt: number[] = [];
    bus.onTransfer = () => sentAt.push(clock.now());
    await board.show(blankFrame(16, 16));
    await board.show(blankFrame(16, 16));
    await board.show(blankFrame(16, 16));
    expect(sentAt).toHaveLength(3);
    expect(at(sentAt, 1) - at(sentAt, 0)).toBeGreaterThanOrEqual(HD_MIN_INTERVAL_MS);
    expect(at(sentAt, 2) - at(sentAt, 1)).toBeGreaterThanOrEqual(HD_MIN_INTERVAL_MS);
    expect(HD_MIN_INTERVAL_MS).toBeCloseTo(8.333, 3);
  });

  it('does not wait when frames are already far enough apart', async () => {
    const { clock, board } = await openHd();
    await board.show(blankFrame(16, 16));
    clock.advance(50);
    await board.show(blankFrame(16, 16));
    expect(clock.sleeps).toEqual([]);
  });

  it('coalesces frames that arrive while one waits: only the latest is sent, every caller resolves', async () => {
    const { bus, board } = await openHd();
    bus.clear();
    const first = board.show(onePixel(16, 16, 0, 0, [1, 0, 0]));
    const second = board.show(onePixel(16, 16, 0, 0, [2, 0, 0]));
    const third = board.show(onePixel(16, 16, 0, 0, [3, 0, 0]));
    await Promise.all([first, second, third]);
    expect(bus.transfers.map((t) => t[1])).toEqual([1, 3]);
  });

  it('blanks the board and releases the bus on close, once however often close is called', async () => {
    const { bus, board } = await openHd();
    await board.show(uniqueFrame(16, 16));
    bus.clear();
    await board.close();
    await board.close();
    expect(bus.log()).toEqual([`72 ${zeros(768)}`]);
    expect(bus.closeCount).toBe(1);
  });

  it('does nothing on close when open never ran or failed', async () => {
    const never = createUnicornHatHd({ openSpi: async () => new FakeSpiBus(), clock: new FakeClock() });
    await never.close();
    const failed = createUnicornHatHd({
      openSpi: async () => {
        throw new Error('no /dev/spidev0.0');
      },
      clock: new FakeClock(),
    });
    await expect(failed.open()).rejects.toThrow('no /dev/spidev0.0');
    await failed.close();
  });

  it('refuses to show before open', async () => {
    const board = createUnicornHatHd({ openSpi: async () => new FakeSpiBus(), clock: new FakeClock() });
    await expect(board.show(blankFrame(16, 16))).rejects.toThrow(
      'unicornhathd is not open; call open() first',
    );
  });
});
