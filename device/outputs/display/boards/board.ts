/**
 * What one board driver implements: physical frames in, bytes on its bus out. The Display wrapper
 * (mapped-display.ts) does size checks, rotation, flips, brightness and gamma, and lifecycle
 * bookkeeping; a Board only encodes.
 *
 * A Board's `show` takes a physical frame: the board's native size at the driver's rotation 0, values
 * already final (toned). Its `close` blanks and releases the bus, and must be safe after a failed or
 * missing `open` and when called twice.
 */

import type { BoardKind } from '../../../config/display-options.ts';
import type { Frame } from '../../../picture/frame.ts';
import type { Legend } from '../../../picture/legend.ts';

export interface BoardProfile {
  readonly kind: BoardKind;
  /** Native size at the driver's rotation 0 (for virtual boards: the configured size). */
  readonly width: number;
  readonly height: number;
  /**
   * How brightness reaches the LEDs:
   * - 'software': the mapping scales every value, clamped to `capLevel`;
   * - 'hardware': the board sets a chip register from the configured brightness (HAT Mini);
   * - 'none': a virtual board showing logical colours (no rotation, brightness or gamma either).
   */
  readonly brightness: 'software' | 'hardware' | 'none';
  /** Highest safe software brightness level, 0..255 (255 = no cap). */
  readonly capLevel: number;
}

export interface Board {
  readonly profile: BoardProfile;
  open(): Promise<void>;
  /** `legend`: which pixel shows what, for a board that prints it (the terminal); others ignore it. */
  show(frame: Frame, legend?: Legend): Promise<void>;
  close(): Promise<void>;
  /**
   * A 'hardware' brightness board: sets its register (0..1) at once if open, and at the next open:
   * the night schedule's level as it changes, or a remote setting's.
   */
  setBrightness?(brightness: number): Promise<void>;
}
