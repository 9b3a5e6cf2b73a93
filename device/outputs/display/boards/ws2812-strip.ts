/**
 * A chain of WS2812 LEDs, whichever driver sends it. `show` takes R, G, B per LED in chain order;
 * both drivers reorder to GRB on the wire themselves (docs/reference/hardware.md §2.1, §2.4). `close` releases the
 * driver without blanking (the board shows black first).
 *
 * Both drivers are set up as transparent pipes, so brightness, the 50% cap and gamma are ours
 * (mapping.ts) and identical on every Pi:
 * - /dev/leds0 (Pi 5): on kernels with the brightness-0 pass-through (§2.4, `if (!val ||
 *   !brightness) return val;` in ws2812-pio-rp1.c since raspberrypi/linux#7110) brightness 0 and the
 *   values as they are; on older kernels brightness 0 is black, so brightness 255 and every value
 *   sent through KERNEL_GAMMA_INVERSE, which the kernel's gamma turns back into it (ws2812-backend.ts
 *   `leds0Mode`).
 * - rpi-ws281x (Pi <= 4): brightness 255 and no gamma table make its render path an identity (§7.2).
 */
import type { LedsDevice } from '../buses/leds-device.ts';
import type { Ws281xChannel } from '../buses/ws281x-channel.ts';
import { LED_GAMMA } from '../gamma.ts';
import type { Leds0Mode } from './ws2812-backend.ts';

export interface Ws2812Strip {
  show(rgb: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * For each wire value o, the smallest input i with LED_GAMMA[i] >= o: what to send so that a kernel
 * applying the table at brightness 255 shows o (or, where the table skips o, the next step up). 0 stays 0.
 */
export const KERNEL_GAMMA_INVERSE: Uint8Array = Uint8Array.from({ length: 256 }, (_, o) =>
  LED_GAMMA.findIndex((out) => out >= o),
);

/** num_leds x 4 bytes, R, G, B, W per LED; W is ignored without the overlay's rgbw flag (§2.4). */
export function encodeLeds0(rgb: Uint8Array, tone?: Uint8Array): Uint8Array {
  const leds = rgb.length / 3;
  const out = new Uint8Array(leds * 4);
  for (let i = 0; i < leds; i++) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[i * 3 + c] ?? 0;
      out[i * 4 + c] = tone === undefined ? v : (tone[v] ?? 0);
    }
  }
  return out;
}

/** One 0x00RRGGBB word per LED, the layout of rpi-ws281x-native's `channel.array` (§6.1). */
export function encodeWs281x(rgb: Uint8Array): Uint32Array {
  const leds = rgb.length / 3;
  const out = new Uint32Array(leds);
  for (let i = 0; i < leds; i++) {
    out[i] = ((rgb[i * 3] ?? 0) << 16) | ((rgb[i * 3 + 1] ?? 0) << 8) | (rgb[i * 3 + 2] ?? 0);
  }
  return out;
}

/** The one-byte write at offset 0 that sets the kernel driver's brightness (§2.4, §6.4), per mode. */
export const LEDS0_BRIGHTNESS: Readonly<Record<Leds0Mode, Uint8Array>> = {
  'pass-through': Uint8Array.of(0),
  'kernel-gamma': Uint8Array.of(255),
};

export async function openLeds0Strip(
  openDevice: () => Promise<LedsDevice>,
  mode: Leds0Mode = 'pass-through',
): Promise<Ws2812Strip> {
  const device = await openDevice();
  try {
    await device.write(LEDS0_BRIGHTNESS[mode], 0);
  } catch (error) {
    await device.close();
    throw error;
  }
  const tone = mode === 'kernel-gamma' ? KERNEL_GAMMA_INVERSE : undefined;
  return {
    // Always at position 0 (pwrite): frames are >= 128 bytes, so never mistaken for a brightness byte.
    show: (rgb) => device.write(encodeLeds0(rgb, tone), 0),
    close: () => device.close(),
  };
}

export async function openWs281xStrip(openChannel: () => Promise<Ws281xChannel>): Promise<Ws2812Strip> {
  const channel = await openChannel();
  return {
    show: (rgb) => channel.render(encodeWs281x(rgb)),
    close: () => channel.close(),
  };
}
