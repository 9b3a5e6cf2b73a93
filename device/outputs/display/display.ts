/**
 * The display contract: one LED pixel per slot, rendered a whole frame at a time.
 *
 * Contract:
 * - `width` x `height` is the logical size, after rotation (a 17x7 board at 90 degrees is 7x17).
 *   Every frame passed to `render` must have exactly that size, or `render` throws an Error naming
 *   both sizes; a wrong-sized frame is never cropped or padded.
 * - Frames are logical colours. Rotation, flips, brightness (capped at the board's safe maximum)
 *   and gamma are applied by the display (mapping.ts), never by the caller.
 * - `render` resolves once this frame, or a newer one that superseded it, reached the board. A board
 *   with a minimum frame interval (Unicorn HAT HD) coalesces: intermediate frames may never be shown.
 * - `open` acquires the bus and clears the board. A failing device rejects with an Error whose message
 *   names the fix (enable SPI/I2C, join a group, the Pi 5 overlay line) and whose `cause` is the
 *   original error.
 * - `close` blanks the board and releases the bus. It is idempotent and safe if `open` failed or never
 *   ran. Nothing is retried here: the agent decides whether to reopen.
 *
 * Not guaranteed: that the physical orientation matches the logical one on boards whose origin is
 * unverified (docs/reference/hardware.md §8.1). `rotation`, `flipX` and `flipY` exist to fix that on site.
 */

import type { BoardKind } from '../../config/display-options.ts';
import type { Frame } from '../../picture/frame.ts';
import type { Legend } from '../../picture/legend.ts';

export interface Display {
  readonly kind: BoardKind;
  /** Logical width after rotation. */
  readonly width: number;
  /** Logical height after rotation. */
  readonly height: number;
  open(): Promise<void>;
  /**
   * Whole frame; its size must equal width x height, else throws naming both sizes. `legend` goes
   * with it for a board that prints one (the terminal); LED boards ignore it. `brightness` (0..1, the
   * night schedule's) replaces the configured brightness for this frame, capped per board like it;
   * undefined keeps the configured one. Virtual boards ignore it.
   */
  render(frame: Frame, legend?: Legend, brightness?: number): Promise<void>;
  /** Blanks the board; idempotent, safe if open() failed or never ran. */
  close(): Promise<void>;
  /**
   * Changes the brightness (0..1, capped per board as at open) from the next frame on; throws on a
   * value out of range. Virtual boards ignore it. For the settings shadow.
   */
  setBrightness(brightness: number): Promise<void>;
}
