/**
 * Edges on GPIO lines, as the real reader (gpiomon.ts, Debian's libgpiod tools) and a test's fake
 * both deliver them. The reader is an adapter: it decides nothing about presses (gestures.ts does).
 *
 * Contract:
 * - `onEvent` gets each edge in the order the kernel reported it, with the kernel's timestamp on
 *   CLOCK_MONOTONIC (the clock `process.hrtime` reads), in nanoseconds.
 * - `onReset` says edges may have been lost (the reader restarted, or failed and will retry): a line
 *   held down across it may never report its press. `reason` is for the log.
 * - `stop()` releases the lines; nothing is delivered after it resolves.
 */

/** Rising: the line went from low to high. On an active-low button (the HAT Mini's) that is a release. */
export type Edge = 'rising' | 'falling';

export interface LineEvent {
  /** The line's offset on its chip: the BCM GPIO number on a Pi's header. */
  readonly line: number;
  readonly edge: Edge;
  readonly timestampNs: bigint;
}

export interface LineListener {
  onEvent(event: LineEvent): void;
  onReset(reason: string): void;
}

export interface LineEvents {
  start(listener: LineListener): void;
  stop(): Promise<void>;
}
