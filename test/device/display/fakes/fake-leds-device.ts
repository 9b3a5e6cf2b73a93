/**
 * A recording /dev/leds0 that behaves like the ws2812-pio driver's buffer (docs/reference/hardware.md §2.4): a
 * write that runs past num_leds * 4 bytes fails with ENOSPC.
 */
import type { LedsDevice } from '../../../../device/display/buses/leds-device.ts';

export interface LedsWrite {
  readonly position: number;
  readonly bytes: Uint8Array;
}

export class FakeLedsDevice implements LedsDevice {
  readonly writes: LedsWrite[] = [];
  closeCount = 0;
  readonly #numLeds: number;

  constructor(numLeds: number) {
    this.#numLeds = numLeds;
  }

  async write(bytes: Uint8Array, position: number): Promise<void> {
    if (position + bytes.length > this.#numLeds * 4) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    this.writes.push({ position, bytes: Uint8Array.from(bytes) });
  }

  async close(): Promise<void> {
    this.closeCount++;
  }
}
