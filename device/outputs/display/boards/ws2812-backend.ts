/**
 * Which WS2812 driver runs the Unicorn HAT / pHAT (pure). rpi_ws281x, and so rpi-ws281x-native, does
 * not run on a Pi 5 ("Hardware revision is not supported"); there the kernel's ws2812-pio driver and
 * /dev/leds0 do the job without root (docs/reference/hardware.md §0, §2.4). Older Pis use rpi-ws281x (§6.1).
 * The model comes from /proc/device-tree/model, e.g. "Raspberry Pi 5 Model B Rev 1.0".
 *
 * On the Pi 5 the kernel's own gamma is in the way, and how to step around it depends on the kernel
 * (`leds0Mode`).
 */
import type { DisplayOptions } from '../../../config/display-options.ts';

export type Ws2812Backend = 'leds0' | 'rpi-ws281x';

/** The RP1-based boards: Pi 5, Pi 500, Compute Module 5. */
export function isRp1Pi(model: string): boolean {
  return /^Raspberry Pi (5|500)\b|^Raspberry Pi Compute Module 5\b/.test(model);
}

/** `board` names the board in the error: 'Unicorn HAT' or 'Unicorn pHAT'. */
export function chooseWs2812Backend(
  setting: DisplayOptions['ws2812Backend'],
  model: string,
  board = 'Unicorn HAT',
): Ws2812Backend {
  if (setting !== 'auto') return setting;
  if (isRp1Pi(model)) return 'leds0';
  if (/^Raspberry Pi\b/.test(model)) return 'rpi-ws281x';
  throw new Error(
    `model ${JSON.stringify(model)} is not a Raspberry Pi, so no WS2812 driver can be chosen for the ` +
      `${board}; set display.ws2812Backend to 'leds0' (Pi 5) or 'rpi-ws281x' (Pi 4 and older)`,
  );
}

/**
 * How /dev/leds0 turns bytes into light. The driver computes `gamma[v * brightness / 255]` per
 * channel, with the same table as ours (gamma.ts). Since raspberrypi/linux PR #7110 (merged
 * 2025-10-26, in Raspberry Pi OS kernels after 6.12.55) brightness 0 passes values through
 * unchanged; before it, `if (!val) return 0;` came first and brightness 0 turned every LED off,
 * without an error.
 * - 'pass-through': brightness 0, and the frame goes as our mapping made it (every level reachable).
 * - 'kernel-gamma': brightness 255, and each value is sent as the smallest input whose kernel gamma
 *   reaches it (`KERNEL_GAMMA_INVERSE`), so the LEDs show what our mapping made wherever the table
 *   can express it, and the next brighter step where it cannot. Correct on every kernel.
 */
export type Leds0Mode = 'pass-through' | 'kernel-gamma';

/** The first kernel with the brightness-0 pass-through: 6.12.56. */
const PASS_THROUGH_SINCE = [6, 12, 56] as const;

/**
 * The mode for a kernel release (`uname -r`, e.g. "6.12.47+rpt-rpi-2712"). An unreadable release
 * gets 'kernel-gamma', which lights the LEDs on any kernel.
 */
export function leds0Mode(kernelRelease: string): Leds0Mode {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(kernelRelease);
  if (match === null) return 'kernel-gamma';
  const version = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  for (let i = 0; i < 3; i++) {
    const have = version[i] ?? 0;
    const need = PASS_THROUGH_SINCE[i] ?? 0;
    if (have !== need) return have > need ? 'pass-through' : 'kernel-gamma';
  }
  return 'pass-through';
}

/** One line for `ec2led doctor` and the log: the mode, and why. */
export function describeLeds0Mode(kernelRelease: string): string {
  return leds0Mode(kernelRelease) === 'pass-through'
    ? `kernel ${kernelRelease} passes /dev/leds0 values through at brightness 0 (raspberrypi/linux#7110): exact levels`
    : `kernel ${kernelRelease} has no /dev/leds0 pass-through (it needs a kernel after 6.12.55, raspberrypi/linux#7110): ` +
        'brightness 255 and values pre-compensated for the kernel gamma; update the kernel for the exact dimmest levels';
}
