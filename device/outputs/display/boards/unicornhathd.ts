/**
 * Pimoroni Unicorn HAT HD: 16x16 RGB behind an onboard microcontroller on SPI0 CE0 (docs/reference/hardware.md §3).
 * A frame is one 769-byte transfer: start byte 0x72, then 256 pixels of R, G, B. No init sequence,
 * no gamma, no hardware brightness: all of it is ours (mapping.ts). At least 1/120 s between frames,
 * enforced by a coalescing FramePacer.
 *
 * Physical orientation is unverified (§3, §8.1); physical (x, y) here is the library's buf[x][y].
 */

import type { Frame } from '../../../picture/frame.ts';
import { blankFrame } from '../../../picture/frame.ts';
import type { SpiBus } from '../buses/spi-bus.ts';
import type { Board, BoardProfile } from './board.ts';
import { type Clock, FramePacer } from './frame-pacer.ts';

const SIZE = 16;
/** Start-of-frame byte (§3); 0x73-0x7A address chained "Ubercorn" panels, not supported here. */
export const HD_START = 0x72;
/** 9 MHz, as both the Python library and the C++ example (§3). */
export const HD_SPEED_HZ = 9_000_000;
/** The library sleeps 1/120 s after every frame (§3): ~8.33 ms. */
export const HD_MIN_INTERVAL_MS = 1000 / 120;

export const UNICORN_HAT_HD: BoardProfile = {
  kind: 'unicornhathd',
  width: SIZE,
  height: SIZE,
  brightness: 'software',
  capLevel: 255,
};

/**
 * The 769-byte transfer for a 16x16 physical frame. The library flattens buf[x][y] x-major, so
 * stream slot s carries pixel (x = floor(s/16), y = s mod 16) in bytes 1+3s..3+3s as R, G, B (§3).
 */
export function encodeHdFrame(frame: Frame): Uint8Array {
  const out = new Uint8Array(1 + SIZE * SIZE * 3);
  out[0] = HD_START;
  for (let x = 0; x < SIZE; x++) {
    for (let y = 0; y < SIZE; y++) {
      const slot = x * SIZE + y;
      const from = (y * SIZE + x) * 3;
      out.set(frame.rgb.subarray(from, from + 3), 1 + slot * 3);
    }
  }
  return out;
}

export interface UnicornHatHdDeps {
  readonly openSpi: () => Promise<SpiBus>;
  readonly clock: Clock;
}

export function createUnicornHatHd(deps: UnicornHatHdDeps): Board {
  let bus: SpiBus | undefined;
  let pacer: FramePacer<Uint8Array> | undefined;

  const send = async (frame: Frame): Promise<void> => {
    if (pacer === undefined) throw new Error('unicornhathd is not open; call open() first');
    await pacer.submit(encodeHdFrame(frame));
  };

  return {
    profile: UNICORN_HAT_HD,
    async open() {
      const opened = await deps.openSpi();
      bus = opened;
      pacer = new FramePacer(HD_MIN_INTERVAL_MS, deps.clock, (bytes) => opened.transfer(bytes));
      // No init sequence exists (§3); a blank frame clears whatever a previous run left lit.
      await send(blankFrame(SIZE, SIZE));
    },
    show: send,
    async close() {
      const closing = bus;
      if (closing === undefined) return;
      bus = undefined;
      try {
        await pacer?.submit(encodeHdFrame(blankFrame(SIZE, SIZE)));
      } finally {
        pacer = undefined;
        await closing.close();
      }
    },
  };
}
