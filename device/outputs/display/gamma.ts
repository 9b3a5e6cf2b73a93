/**
 * Gamma and brightness for one colour channel, as 256-entry lookup tables (pure).
 *
 * The table is Pimoroni's LED_GAMMA, also hard-coded in the Pi 5 ws2812-pio kernel driver
 * (docs/reference/hardware.md §7.1): gamma[i] = floor(255 * (i/255)^(1/0.45)), floored not rounded. The test suite
 * checks all 256 entries against the table printed in §7.1.
 *
 * Brightness is applied before gamma, like every reference library (§2.2, §5.6, §7.2):
 * out = gamma[floor(v * level / 255)], with level 0..255.
 *
 * Deliberate difference (docs/reference/users.md #7, docs/reference/hardware.md §0 surprise 3): that table maps every input up to 21
 * to 0, so a dim colour or a low brightness switches LEDs fully off, and a board showing a fleet
 * must never hide an instance because the room is dark. We keep the curve but floor it: a channel that
 * is non-zero in the logical frame is never sent as 0 while brightness is above 0; it becomes 1, the
 * dimmest PWM step. The cost: a hue that is mostly one channel (say 255,8,0) keeps a faint trace of its
 * minor channel at the lowest brightness. Brightness 0 still turns everything off.
 */

export const LED_GAMMA: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) =>
  Math.floor(255 * (i / 255) ** (1 / 0.45)),
);

/**
 * Lookup table from a logical channel value (0..255) to the value sent to the board.
 * `level` is the software brightness 0..255 (255 = unchanged); `gamma` switches the §7.1 curve.
 */
export function toneTable(level: number, gamma: boolean): Uint8Array {
  if (!Number.isInteger(level) || level < 0 || level > 255) {
    throw new Error(`brightness level ${level} out of range 0-255`);
  }
  const table = new Uint8Array(256);
  if (level === 0) return table;
  for (let v = 1; v < 256; v++) {
    const scaled = Math.floor((v * level) / 255);
    const out = gamma ? (LED_GAMMA[scaled] ?? 0) : scaled;
    table[v] = Math.max(1, out);
  }
  return table;
}
