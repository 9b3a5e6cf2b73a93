/**
 * Pimoroni Unicorn HAT Mini: 17x7 RGB on two Holtek HT16D35 controllers, left (x 0-8) on SPI0 CE0 and
 * right (x 9-16) on CE1 (docs/reference/hardware.md §4.1). Each command is its own transfer to one controller.
 * Hardware chip select is used, not Pimoroni's hand-toggled GPIO (§4.1, §4.4; open question §8.2),
 * with a 2 µs hold after the last bit for the datasheet's tCSH.
 *
 * Colour is 6-bit (v >> 2), without gamma in the library; ours comes from the mapping. Brightness is
 * the controllers' global register 0x37 (0-63), not software.
 */

import type { Frame } from '../../../picture/frame.ts';
import type { SpiBus } from '../buses/spi-bus.ts';
import type { Board, BoardProfile } from './board.ts';

const WIDTH = 17;
const HEIGHT = 7;
const RAM = 224;
/** 600 kHz, the library default; tested to ~6 MHz on a Pi 4 but the datasheet says ~4 MHz (§4.1). */
export const MINI_SPEED_HZ = 600_000;
export const MINI_CS_HOLD_US = 2;

export const UNICORN_HAT_MINI: BoardProfile = {
  kind: 'unicornhatmini',
  width: WIDTH,
  height: HEIGHT,
  brightness: 'hardware',
  capLevel: 255,
};

/** Command bytes (§4.2). */
const SOFT_RESET = [0xcc];
const GLOBAL_BRIGHTNESS = 0x37;
const SCROLL_OFF = [0x20, 0x00];
const SYSTEM_OFF = [0x35, 0x00];
const SYSTEM_ON = [0x35, 0x03]; // oscillator on + display on
const WRITE_RAM = [0x80, 0x00]; // then 224 gray bytes from address 0
const COM_ALL = [0x41, 0xff];
const COM_NONE = [0x41, 0x00];
const ROW_ALL = [0x42, 0xff, 0xff, 0xff, 0xff];
const ROW_NONE = [0x42, 0x00, 0x00, 0x00, 0x00];

/**
 * (x, y) -> R, G, B offsets in one controller's 224-byte RAM, for x 0-8 (§4.3). The right
 * controller (x 9-16) uses the same offsets as column x - 9.
 */
// biome-ignore format: one row per x, as printed in docs/reference/hardware.md §4.3
const LUT: readonly (readonly number[])[] = [
  [139, 138, 137, 223, 222, 221, 167, 166, 165, 195, 194, 193, 111, 110, 109, 55, 54, 53, 83, 82, 81],
  [136, 135, 134, 220, 219, 218, 164, 163, 162, 192, 191, 190, 108, 107, 106, 52, 51, 50, 80, 79, 78],
  [113, 115, 114, 197, 199, 198, 141, 143, 142, 169, 171, 170, 85, 87, 86, 29, 31, 30, 57, 59, 58],
  [116, 118, 117, 200, 202, 201, 144, 146, 145, 172, 174, 173, 88, 90, 89, 32, 34, 33, 60, 62, 61],
  [119, 121, 120, 203, 205, 204, 147, 149, 148, 175, 177, 176, 91, 93, 92, 35, 37, 36, 63, 65, 64],
  [122, 124, 123, 206, 208, 207, 150, 152, 151, 178, 180, 179, 94, 96, 95, 38, 40, 39, 66, 68, 67],
  [125, 127, 126, 209, 211, 210, 153, 155, 154, 181, 183, 182, 97, 99, 98, 41, 43, 42, 69, 71, 70],
  [128, 130, 129, 212, 214, 213, 156, 158, 157, 184, 186, 185, 100, 102, 101, 44, 46, 45, 72, 74, 73],
  [131, 133, 132, 215, 217, 216, 159, 161, 160, 187, 189, 188, 103, 105, 104, 47, 49, 48, 75, 77, 76],
];

/** 8-bit to the controller's 6-bit gray, keeping a lit channel lit (see gamma.ts). */
function sixBit(value: number): number {
  return value === 0 ? 0 : Math.max(1, value >> 2);
}

/** Global brightness register value 0-63 from 0..1: int(63 * b) like the library, never 0 unless b is 0. */
export function miniBrightnessLevel(brightness: number): number {
  return brightness <= 0 ? 0 : Math.max(1, Math.min(63, Math.floor(63 * brightness)));
}

/** The RAM-write transfer (80 00 + 224 bytes) for each controller: [CE0, CE1]. */
export function encodeMiniFrame(frame: Frame): [Uint8Array, Uint8Array] {
  const out: [Uint8Array, Uint8Array] = [new Uint8Array(2 + RAM), new Uint8Array(2 + RAM)];
  for (const buffer of out) buffer.set(WRITE_RAM, 0);
  for (let x = 0; x < WIDTH; x++) {
    const buffer = out[x < 9 ? 0 : 1];
    const offsets = LUT[x % 9] ?? [];
    for (let y = 0; y < HEIGHT; y++) {
      const from = (y * WIDTH + x) * 3;
      for (let c = 0; c < 3; c++) {
        buffer[2 + (offsets[y * 3 + c] ?? 0)] = sixBit(frame.rgb[from + c] ?? 0);
      }
    }
  }
  return out;
}

/** Pimoroni's init order per controller (§4.2), then the configured global brightness. */
export function miniInitCommands(brightness: number): Uint8Array[] {
  return [
    SOFT_RESET,
    [GLOBAL_BRIGHTNESS, 0x01],
    SCROLL_OFF,
    SYSTEM_OFF,
    [...WRITE_RAM, ...new Array<number>(RAM).fill(0)],
    COM_ALL,
    ROW_ALL,
    SYSTEM_ON,
    [GLOBAL_BRIGHTNESS, miniBrightnessLevel(brightness)],
  ].map((command) => Uint8Array.from(command));
}

/** Shutdown per controller (§4.2). */
export const MINI_SHUTDOWN: readonly Uint8Array[] = [COM_NONE, ROW_NONE, SYSTEM_OFF].map((c) =>
  Uint8Array.from(c),
);

export interface UnicornHatMiniDeps {
  /** Opens CE0 (left) or CE1 (right). */
  readonly openSpi: (chipSelect: 0 | 1) => Promise<SpiBus>;
  /** 0..1, sent to register 0x37. */
  readonly brightness: number;
}

export function createUnicornHatMini(deps: UnicornHatMiniDeps): Board {
  let buses: SpiBus[] = [];
  let brightness = deps.brightness;
  const blank = { width: WIDTH, height: HEIGHT, rgb: new Uint8Array(WIDTH * HEIGHT * 3) };

  const show = async (frame: Frame): Promise<void> => {
    const [left, right] = buses;
    if (left === undefined || right === undefined)
      throw new Error('unicornhatmini is not open; call open() first');
    const [leftRam, rightRam] = encodeMiniFrame(frame);
    await left.transfer(leftRam);
    await right.transfer(rightRam);
  };

  return {
    profile: UNICORN_HAT_MINI,
    async open() {
      for (const chipSelect of [0, 1] as const) buses.push(await deps.openSpi(chipSelect));
      for (const bus of buses) {
        for (const command of miniInitCommands(brightness)) await bus.transfer(command);
      }
    },
    show,
    async setBrightness(next) {
      brightness = next;
      const command = Uint8Array.from([GLOBAL_BRIGHTNESS, miniBrightnessLevel(next)]);
      for (const bus of buses) await bus.transfer(command);
    },
    async close() {
      const closing = buses;
      if (closing.length === 0) return;
      try {
        if (closing.length === 2) await show(blank);
        for (const bus of closing) for (const command of MINI_SHUTDOWN) await bus.transfer(command);
      } finally {
        buses = [];
        await Promise.allSettled(closing.map((bus) => bus.close()));
      }
    },
  };
}
