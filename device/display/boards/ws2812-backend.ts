/**
 * Which WS2812 driver runs the Unicorn HAT / pHAT (pure). rpi_ws281x, and so rpi-ws281x-native, does
 * not run on a Pi 5 ("Hardware revision is not supported"); there the kernel's ws2812-pio driver and
 * /dev/leds0 do the job without root (docs/reference/hardware.md §0, §2.4). Older Pis use rpi-ws281x (§6.1).
 * The model comes from /proc/device-tree/model, e.g. "Raspberry Pi 5 Model B Rev 1.0".
 */
import type { DisplayOptions } from '../options.ts';

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
