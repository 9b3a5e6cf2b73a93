/**
 * Pimoroni Unicorn HAT (8x8) and Unicorn pHAT (8x4): WS2812 LEDs on GPIO18 (docs/reference/hardware.md §2), driven
 * through a Ws2812Strip (the Pi 5 kernel driver or rpi-ws281x, see ws2812-strip.ts). Both are capped
 * at 50% brightness, Pimoroni's current limit (§2.2).
 *
 * Pixel maps at the library's rotation 0 (§2.3): (0,0) top left with the HDMI port facing down (HAT),
 * or looking at the PCB with the header at the top (pHAT).
 */
import type { Frame } from '../../../picture/frame.ts';
import type { Board, BoardProfile } from './board.ts';
import type { Ws2812Strip } from './ws2812-strip.ts';

/** 128/255: "UnicornHAT draws too much current above 50%" (§2.2). */
export const UNICORN_HAT_CAP_LEVEL = 128;

export const UNICORN_HAT: BoardProfile = {
  kind: 'unicornhat',
  width: 8,
  height: 8,
  brightness: 'software',
  capLevel: UNICORN_HAT_CAP_LEVEL,
};

export const UNICORN_PHAT: BoardProfile = {
  kind: 'unicornphat',
  width: 8,
  height: 4,
  brightness: 'software',
  capLevel: UNICORN_HAT_CAP_LEVEL,
};

/** HAT: column serpentine, index = 8x + (x even ? y : 7 - y) (§2.3). */
export function unicornHatIndex(x: number, y: number): number {
  return 8 * x + (x % 2 === 0 ? y : 7 - y);
}

/** pHAT: row-major, index = 8y + x (§2.3). */
export function unicornPhatIndex(x: number, y: number): number {
  return 8 * y + x;
}

/** R, G, B per LED in chain order, from a physical frame. */
export function chainOrder(frame: Frame, index: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(frame.width * frame.height * 3);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const from = (y * frame.width + x) * 3;
      out.set(frame.rgb.subarray(from, from + 3), index(x, y) * 3);
    }
  }
  return out;
}

export function createUnicornHat(
  kind: 'unicornhat' | 'unicornphat',
  openStrip: () => Promise<Ws2812Strip>,
): Board {
  const profile = kind === 'unicornhat' ? UNICORN_HAT : UNICORN_PHAT;
  const index = kind === 'unicornhat' ? unicornHatIndex : unicornPhatIndex;
  const black = new Uint8Array(profile.width * profile.height * 3);
  let strip: Ws2812Strip | undefined;

  return {
    profile,
    async open() {
      strip = await openStrip();
      await strip.show(black);
    },
    async show(frame) {
      if (strip === undefined) throw new Error(`${kind} is not open; call open() first`);
      await strip.show(chainOrder(frame, index));
    },
    async close() {
      const closing = strip;
      if (closing === undefined) return;
      strip = undefined;
      try {
        await closing.show(black);
      } finally {
        await closing.close();
      }
    },
  };
}
