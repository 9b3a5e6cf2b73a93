/**
 * Pimoroni LED SHIM: 28 RGB LEDs in a row on an IS31FL3731 at I2C 0x75 (docs/reference/hardware.md §5.1). A 28x1
 * board: pixel x is LUT entry x. Like Pimoroni's library it always writes frame 0, the one shown,
 * with no double buffering (§0 surprise 5, §5.4). Which end is pixel 0 is unverified (§5.5, §8.1):
 * flipX turns it around.
 */
import type { I2cBus } from '../buses/i2c-bus.ts';
import type { Board, BoardProfile } from './board.ts';
import { createIs31Board } from './is31fl3731.ts';

export const LED_SHIM_ADDRESS = 0x75;

export const LED_SHIM: BoardProfile = {
  kind: 'ledshim',
  width: 28,
  height: 1,
  brightness: 'software',
  capLevel: 255,
};

/** Enable bytes for registers 0x00-0x11: 84 LEDs (§5.3). */
// biome-ignore format: as printed in docs/reference/hardware.md §5.3
export const LED_SHIM_ENABLE = [
  0x00, 0xbf, 0x3e, 0x3e, 0x3f, 0xbe, 0x07, 0x86, 0x30, 0x30, 0x3f, 0xbe, 0x3f, 0xbe, 0x7f, 0xfe, 0x7f, 0x00,
];

export function createLedShim(openI2c: () => Promise<I2cBus>, address = LED_SHIM_ADDRESS): Board {
  return createIs31Board(
    { profile: LED_SHIM, address, enable: LED_SHIM_ENABLE, doubleBuffer: false, lutIndex: (x) => x },
    openI2c,
  );
}
