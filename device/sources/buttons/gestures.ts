/**
 * Presses from edges (pure): one button's state, stepped by its line's edges and by the clock.
 *
 * Contract:
 * - An edge less than `debounceMs` after the last edge taken is contact bounce: ignored.
 * - A press that ends before `longPressMs` is a "press", on its release. One held `longPressMs` is a
 *   "long-press", once, as soon as that time is reached (`tick`), so the board answers while the
 *   button is still down; its release then gives nothing. A release that arrives after `longPressMs`
 *   with no tick in between (a late timer) still gives the long press, not a short one.
 * - A press whose start was not seen gives nothing: after `reset` (the reader restarted, edges may
 *   be lost) the button is up, and a release without a press is only noted. A press edge while
 *   already down means a release was lost: the press starts again from it.
 * - `wakeAtMs` is when to call `tick` (the long press is due), absent when no tick is needed.
 */
import type { Edge } from './line-events.ts';

export interface GestureOptions {
  readonly debounceMs: number;
  readonly longPressMs: number;
  /** Pressed pulls the line low (falling edge = press). */
  readonly activeLow: boolean;
}

export interface ButtonState {
  readonly down: boolean;
  /** When the press began; defined while down. */
  readonly downAtMs: number | undefined;
  /** The long press of this press was given already. */
  readonly longGiven: boolean;
  /** The last edge taken (not ignored as bounce). */
  readonly lastEdgeMs: number | undefined;
}

export type Gesture = 'press' | 'long-press';

export interface GestureStep {
  readonly state: ButtonState;
  readonly gesture?: Gesture;
  readonly wakeAtMs?: number;
}

export const BUTTON_UP: ButtonState = {
  down: false,
  downAtMs: undefined,
  longGiven: false,
  lastEdgeMs: undefined,
};

function waiting(state: ButtonState, options: GestureOptions): GestureStep {
  return state.down && !state.longGiven && state.downAtMs !== undefined
    ? { state, wakeAtMs: state.downAtMs + options.longPressMs }
    : { state };
}

export function onEdge(state: ButtonState, edge: Edge, atMs: number, options: GestureOptions): GestureStep {
  if (state.lastEdgeMs !== undefined && atMs - state.lastEdgeMs < options.debounceMs) {
    return waiting(state, options); // bounce
  }
  const pressEdge: Edge = options.activeLow ? 'falling' : 'rising';
  if (edge === pressEdge) {
    return waiting({ down: true, downAtMs: atMs, longGiven: false, lastEdgeMs: atMs }, options);
  }
  const up: ButtonState = { ...BUTTON_UP, lastEdgeMs: atMs };
  if (!state.down || state.downAtMs === undefined || state.longGiven) return { state: up };
  return { state: up, gesture: atMs - state.downAtMs >= options.longPressMs ? 'long-press' : 'press' };
}

export function tick(state: ButtonState, nowMs: number, options: GestureOptions): GestureStep {
  if (!state.down || state.longGiven || state.downAtMs === undefined) return { state };
  if (nowMs - state.downAtMs < options.longPressMs) return waiting(state, options);
  return { state: { ...state, longGiven: true }, gesture: 'long-press' };
}

/** Edges may have been lost: the button is up, and the press in progress (if any) gives nothing. */
export function reset(): ButtonState {
  return BUTTON_UP;
}
