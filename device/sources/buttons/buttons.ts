/**
 * The buttons: a line reader's edges through each button's gesture state (gestures.ts) to its
 * actions (actions.ts). Holds the states and the long-press timers; decides nothing itself.
 *
 * Time: a press's length between two edges is measured on the edges' own timestamps (the kernel's);
 * the long-press timer runs on `clock` (default CLOCK_MONOTONIC, immune to the wall clock being set)
 * and reads the edges' clock as the last edge's timestamp plus the time elapsed on `clock` since it
 * arrived, so the two clocks need not be the same one.
 */

import type { Clock } from '../../base/clock.ts';
import type { Button } from '../../config/buttons-options.ts';
import { type ActionDeps, runAction } from './actions.ts';
import {
  BUTTON_UP,
  type ButtonState,
  type GestureOptions,
  type GestureStep,
  onEdge,
  reset,
  tick,
} from './gestures.ts';
import type { LineEvents } from './line-events.ts';

/** setTimeout with now() on CLOCK_MONOTONIC in ms (process.hrtime). */
export const monotonicClock: Clock = {
  now: () => Number(process.hrtime.bigint() / 1000n) / 1000,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface StartButtonsOptions extends ActionDeps {
  readonly buttons: readonly Button[];
  readonly reader: LineEvents;
  readonly gestures: GestureOptions;
  readonly clock?: Clock;
}

export interface Buttons {
  stop(): Promise<void>;
}

export function startButtons(options: StartButtonsOptions): Buttons {
  const { log, reader, gestures } = options;
  const clock = options.clock ?? monotonicClock;
  const byLine = new Map(options.buttons.map((b) => [b.line, b]));
  const states = new Map<number, ButtonState>();
  const timers = new Map<number, unknown>();
  /** Per line: the last edge's timestamp minus `clock.now()` when it arrived. */
  const offsets = new Map<number, number>();
  let stopped = false;
  const edgeClockNow = (line: number): number => clock.now() + (offsets.get(line) ?? 0);

  const apply = (line: number, step: GestureStep): void => {
    const button = byLine.get(line);
    if (button === undefined || stopped) return;
    states.set(line, step.state);
    const timer = timers.get(line);
    if (timer !== undefined) clock.clearTimeout(timer);
    timers.delete(line);
    if (step.wakeAtMs !== undefined) {
      timers.set(
        line,
        clock.setTimeout(
          () => {
            timers.delete(line);
            apply(line, tick(states.get(line) ?? BUTTON_UP, edgeClockNow(line), gestures));
          },
          Math.max(0, step.wakeAtMs - edgeClockNow(line)),
        ),
      );
    }
    if (step.gesture === undefined) return;
    const action = step.gesture === 'press' ? button.press : button.longPress;
    log.info('button pressed', { button: button.name, gesture: step.gesture, action });
    runAction(action, button.name, options);
  };

  reader.start({
    onEvent(event) {
      const atMs = Number(event.timestampNs / 1000n) / 1000;
      if (byLine.has(event.line)) offsets.set(event.line, atMs - clock.now());
      apply(event.line, onEdge(states.get(event.line) ?? BUTTON_UP, event.edge, atMs, gestures));
    },
    onReset() {
      for (const line of byLine.keys()) apply(line, { state: reset() });
    },
  });

  return {
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clock.clearTimeout(timer);
      timers.clear();
      await reader.stop();
    },
  };
}
