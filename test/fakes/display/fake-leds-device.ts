/**
 * A recording /dev/leds0 that follows the ws2812-pio driver (docs/boards.md, the Pi 5 section): a
 * num_leds × 4 byte buffer written at the file position; a one-byte write at offset 0 sets the
 * brightness (the overlay's default is 255); a write that runs past the end fills what fits, shows
 * it, and fails with EFBIG. `lit()` is what the LEDs show, per channel, by the kernel's formula
 * `gamma[v * brightness / 255]`: with `passThrough` (kernels after 6.12.55, raspberrypi/linux#7110)
 * brightness 0 sends values unchanged; without it, brightness 0 is black.
 */
import type { LedsDevice } from '../../../device/outputs/display/buses/leds-device.ts';
import { LED_GAMMA } from '../../../device/outputs/display/gamma.ts';

export interface LedsWrite {
  readonly position: number;
  readonly bytes: Uint8Array;
}

export class FakeLedsDevice implements LedsDevice {
  readonly writes: LedsWrite[] = [];
  closeCount = 0;
  brightness = 255;
  readonly #buffer: Uint8Array;
  readonly #passThrough: boolean;

  constructor(numLeds: number, options: { readonly passThrough?: boolean } = {}) {
    this.#buffer = new Uint8Array(numLeds * 4);
    this.#passThrough = options.passThrough ?? true;
  }

  async write(bytes: Uint8Array, position: number): Promise<void> {
    this.writes.push({ position, bytes: Uint8Array.from(bytes) });
    if (position === 0 && bytes.length === 1) {
      this.brightness = bytes[0] ?? 0;
      return;
    }
    const room = Math.max(0, this.#buffer.length - position);
    this.#buffer.set(bytes.subarray(0, room), position);
    if (bytes.length > room) {
      throw Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' });
    }
  }

  /** R, G, B per LED as the LEDs show them. */
  lit(): Uint8Array {
    const leds = this.#buffer.length / 4;
    const out = new Uint8Array(leds * 3);
    for (let i = 0; i < leds; i++) {
      for (let c = 0; c < 3; c++) out[i * 3 + c] = this.#kernel(this.#buffer[i * 4 + c] ?? 0);
    }
    return out;
  }

  #kernel(value: number): number {
    if (value === 0) return 0;
    if (this.brightness === 0) return this.#passThrough ? value : 0;
    return LED_GAMMA[Math.floor((value * this.brightness) / 255)] ?? 0;
  }

  async close(): Promise<void> {
    this.closeCount++;
  }
}
