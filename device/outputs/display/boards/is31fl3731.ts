/**
 * ISSI IS31FL3731 over I2C, the chip of the RGB Matrix 5x5 and the LED SHIM (docs/reference/hardware.md §5).
 * One strategy for both; the boards differ in address, enable bytes, pixel -> LUT entry, and whether
 * they double-buffer (5x5: frames 0 and 1; SHIM: always frame 0, §5.4).
 *
 * Register map (§5.2): 0xFD selects the page (0x00-0x07 frames, 0x0B function page). In a frame:
 * 0x00-0x11 LED enable bits, 0x24-0xB3 one PWM byte per LED. Function page: 0x00 mode, 0x01 frame
 * shown, 0x06 audio sync, 0x0A shutdown. Writes auto-increment, in SMBus blocks of <= 32 bytes.
 */

import type { Frame } from '../../../picture/frame.ts';
import { I2C_BLOCK_MAX, type I2cBus } from '../buses/i2c-bus.ts';
import type { Board, BoardProfile } from './board.ts';

const COMMAND = 0xfd;
const FUNCTION_PAGE = 0x0b;
const REG_MODE = 0x00; // 0x00 = picture mode
const REG_PICTURE_FRAME = 0x01;
const REG_AUDIO_SYNC = 0x06;
const REG_SHUTDOWN = 0x0a; // 0x00 = software shutdown, 0x01 = normal
const REG_ENABLE = 0x00;
const REG_PWM = 0x24;
export const PWM_BYTES = 144;

/**
 * Pixel -> R, G, B PWM offsets (register = 0x24 + offset), shared by both libraries (§5.5).
 * The 5x5 uses entries 0-24, the SHIM 0-27.
 */
// biome-ignore format: one LUT entry per pair of brackets, as printed in docs/reference/hardware.md §5.5
export const IS31_LUT: readonly (readonly [r: number, g: number, b: number])[] = [
  [118, 69, 85], [117, 68, 101], [116, 84, 100], [115, 83, 99], [114, 82, 98], [113, 81, 97], [112, 80, 96],
  [134, 21, 37], [133, 20, 36], [132, 19, 35], [131, 18, 34], [130, 17, 50], [129, 33, 49], [128, 32, 48],
  [127, 47, 63], [121, 41, 57], [122, 25, 58], [123, 26, 42], [124, 27, 43], [125, 28, 44], [126, 29, 45],
  [15, 95, 111], [8, 89, 105], [9, 90, 106], [10, 91, 107], [11, 92, 108], [12, 76, 109], [13, 77, 93],
];

export interface Is31Spec {
  readonly profile: BoardProfile;
  /** 7-bit I2C address. */
  readonly address: number;
  /** The 18 LED-enable bytes for registers 0x00-0x11 (§5.3). */
  readonly enable: readonly number[];
  /** Alternate frames 0 and 1 (write the hidden one, then show it) or always write frame 0. */
  readonly doubleBuffer: boolean;
  /** Physical (x, y) -> IS31_LUT entry. */
  readonly lutIndex: (x: number, y: number) => number;
}

/** The 144-byte PWM image of a physical frame; offsets no pixel uses stay 0 (§5.4). */
export function encodePwm(frame: Frame, lutIndex: Is31Spec['lutIndex']): Uint8Array {
  const pwm = new Uint8Array(PWM_BYTES);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const offsets = IS31_LUT[lutIndex(x, y)];
      if (offsets === undefined) throw new Error(`pixel (${x},${y}) has no IS31FL3731 LUT entry`);
      const from = (y * frame.width + x) * 3;
      for (let c = 0; c < 3; c++) pwm[offsets[c] ?? 0] = frame.rgb[from + c] ?? 0;
    }
  }
  return pwm;
}

/** Enable bits for the LUT entries a board uses: bit (n & 7) of byte (n >> 3) per PWM offset n (§5.2). */
export function enableBytesFor(entries: number): number[] {
  const bytes = new Array<number>(18).fill(0);
  for (const offsets of IS31_LUT.slice(0, entries)) {
    for (const n of offsets) bytes[n >> 3] = (bytes[n >> 3] ?? 0) | (1 << (n & 7));
  }
  return bytes;
}

export function createIs31Board(spec: Is31Spec, openI2c: () => Promise<I2cBus>): Board {
  const { address, profile } = spec;
  const blank = {
    width: profile.width,
    height: profile.height,
    rgb: new Uint8Array(profile.width * profile.height * 3),
  };
  let bus: I2cBus | undefined;
  let current = 0;

  const page = (on: I2cBus, value: number) => on.writeByte(address, COMMAND, value);
  // Pimoroni re-selects the function page before every function-register write (§5.3).
  const setFunction = async (on: I2cBus, register: number, value: number) => {
    await page(on, FUNCTION_PAGE);
    await on.writeByte(address, register, value);
  };

  const show = async (frame: Frame): Promise<void> => {
    const on = bus;
    if (on === undefined) throw new Error(`${profile.kind} is not open; call open() first`);
    const next = spec.doubleBuffer && current === 0 ? 1 : 0;
    const pwm = encodePwm(frame, spec.lutIndex);
    await page(on, next);
    // 0x24, 0x44, 0x64, 0x84 (32 bytes each), then 0xA4 (16 bytes), as Pimoroni splits it (§5.4).
    for (let offset = 0; offset < PWM_BYTES; offset += I2C_BLOCK_MAX) {
      await on.writeI2cBlock(address, REG_PWM + offset, pwm.subarray(offset, offset + I2C_BLOCK_MAX));
    }
    await setFunction(on, REG_PICTURE_FRAME, next);
    current = next;
  };

  return {
    profile,
    async open() {
      bus = await openI2c();
      current = 0;
      // §5.3 step 1: shutdown then normal. The page re-select between them is a full I2C write
      // (>= 60 µs even at 400 kHz), longer than the >= 10 µs the chip needs.
      await setFunction(bus, REG_SHUTDOWN, 0x00);
      await setFunction(bus, REG_SHUTDOWN, 0x01);
      await show(blank); // step 2
      await setFunction(bus, REG_MODE, 0x00); // step 3: picture mode
      await setFunction(bus, REG_AUDIO_SYNC, 0x00); // step 4
      for (const frameNo of [1, 0]) {
        // steps 5 and 6: only frames 0 and 1 are ever shown
        await page(bus, frameNo);
        await bus.writeI2cBlock(address, REG_ENABLE, Uint8Array.from(spec.enable));
      }
    },
    show,
    async close() {
      const closing = bus;
      if (closing === undefined) return;
      try {
        await show(blank);
        await setFunction(closing, REG_SHUTDOWN, 0x00);
      } finally {
        bus = undefined;
        await closing.close();
      }
    },
  };
}
