/**
 * The Pi 5 ws2812-pio character device, /dev/leds0 (docs/reference/hardware.md §2.4, §6.4): plain `fs`, no native
 * module. Every write is positioned (pwrite), because the driver honours the file position and a
 * sequential write past the end of its buffer fails with EFBIG.
 *
 * Opened O_WRONLY without O_CREAT: `fs.open(path, 'w')` would, as root and without the overlay,
 * create a regular file in /dev and every frame would vanish into it. For the same reason the
 * device must be a character device.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ledsOpenError, ledsWriteError } from './fixes.ts';

export interface LedsDevice {
  /** One pwrite of `bytes` at byte offset `position`. */
  write(bytes: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

/** `leds` is the board's LED count; it only shapes error messages (the overlay's num_leds). */
export async function openLedsDevice(path: string, leds: number): Promise<LedsDevice> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_WRONLY);
  } catch (cause) {
    throw ledsOpenError(path, leds, cause);
  }
  const stats = await handle.stat();
  if (!stats.isCharacterDevice()) {
    await handle.close();
    throw ledsOpenError(
      path,
      leds,
      Object.assign(new Error(`${path} is not a character device`), { code: 'ENOTCHR' }),
    );
  }
  return {
    async write(bytes, position) {
      try {
        await handle.write(bytes, 0, bytes.length, position);
      } catch (cause) {
        throw ledsWriteError(path, leds, cause);
      }
    },
    close: () => handle.close(),
  };
}
