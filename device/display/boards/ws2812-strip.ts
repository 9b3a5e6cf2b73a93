/**
 * A chain of WS2812 LEDs, whichever driver sends it. `show` takes R, G, B per LED in chain order;
 * both drivers reorder to GRB on the wire themselves (docs/reference/hardware.md §2.1, §2.4). `close` releases the
 * driver without blanking (the board shows black first).
 *
 * Both drivers are set up as transparent pipes, so brightness, the 50% cap and gamma are ours
 * (mapping.ts) and identical on every Pi:
 * - /dev/leds0 (Pi 5): brightness 0 is the kernel's pass-through mode, no brightness and no gamma
 *   (§2.4, from `if (!val || !brightness) return val;` in ws2812-pio-rp1.c). At any other brightness
 *   the kernel applies its own gamma, and ours would be applied twice.
 * - rpi-ws281x (Pi <= 4): brightness 255 and no gamma table make its render path an identity (§7.2).
 */
import type { LedsDevice } from '../buses/leds-device.ts';
import type { Ws281xChannel } from '../buses/ws281x-channel.ts';

export interface Ws2812Strip {
  show(rgb: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** num_leds x 4 bytes, R, G, B, W per LED; W is ignored without the overlay's rgbw flag (§2.4). */
export function encodeLeds0(rgb: Uint8Array): Uint8Array {
  const leds = rgb.length / 3;
  const out = new Uint8Array(leds * 4);
  for (let i = 0; i < leds; i++) out.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
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

/** The one-byte write at offset 0 that sets the kernel driver's brightness (§2.4, §6.4). */
export const LEDS0_PASS_THROUGH = Uint8Array.of(0);

export async function openLeds0Strip(openDevice: () => Promise<LedsDevice>): Promise<Ws2812Strip> {
  const device = await openDevice();
  try {
    await device.write(LEDS0_PASS_THROUGH, 0);
  } catch (error) {
    await device.close();
    throw error;
  }
  return {
    // Always at position 0 (pwrite): frames are >= 128 bytes, so never mistaken for a brightness byte.
    show: (rgb) => device.write(encodeLeds0(rgb), 0),
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
