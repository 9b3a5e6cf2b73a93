/**
 * Pimoroni RGB Matrix 5x5 breakout: 25 RGB LEDs on an IS31FL3731 at I2C 0x74, or 0x77 with the
 * address jumper (docs/reference/hardware.md §5.1). Double-buffered across frames 0 and 1, so a frame never shows
 * half-written (§5.4). Which corner the silkscreen calls the origin is unverified (§5.5, §8.1).
 */
import type { I2cBus } from '../buses/i2c-bus.ts';
import type { Board, BoardProfile } from './board.ts';
import { createIs31Board } from './is31fl3731.ts';

export const RGB_MATRIX_5X5_ADDRESS = 0x74;

export const RGB_MATRIX_5X5: BoardProfile = {
  kind: 'rgbmatrix5x5',
  width: 5,
  height: 5,
  brightness: 'software',
  capLevel: 255,
};

/** Enable bytes for registers 0x00-0x11: 75 LEDs (§5.3). */
// biome-ignore format: as printed in docs/reference/hardware.md §5.3
export const RGB_MATRIX_5X5_ENABLE = [
  0x00, 0x87, 0x3e, 0x3e, 0x3f, 0xbe, 0x07, 0x86, 0x30, 0x00, 0x3f, 0x8e, 0x3f, 0x8e, 0x7f, 0xfe, 0x7f, 0x00,
];

/** Column serpentine, "x from left, y from top": LUT entry 5x + (x odd ? 4 - y : y) (§5.5). */
export function rgbMatrix5x5LutIndex(x: number, y: number): number {
  return 5 * x + (x % 2 === 1 ? 4 - y : y);
}

export function createRgbMatrix5x5(openI2c: () => Promise<I2cBus>, address = RGB_MATRIX_5X5_ADDRESS): Board {
  return createIs31Board(
    {
      profile: RGB_MATRIX_5X5,
      address,
      enable: RGB_MATRIX_5X5_ENABLE,
      doubleBuffer: true,
      lutIndex: rgbMatrix5x5LutIndex,
    },
    openI2c,
  );
}
