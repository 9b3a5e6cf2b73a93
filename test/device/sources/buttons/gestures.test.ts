import { describe, expect, it } from 'vitest';
import {
  BUTTON_UP,
  type ButtonState,
  type Gesture,
  type GestureOptions,
  onEdge,
  reset,
  tick,
} from '../../../../device/sources/buttons/gestures.ts';
import type { Edge } from '../../../../device/sources/buttons/line-events.ts';

const OPTIONS: GestureOptions = { debounceMs: 10, longPressMs: 1000, activeLow: true };
const DOWN: Edge = 'falling';
const UP: Edge = 'rising';

/** Feeds edges (and ticks, as `tick@ms`) in order; returns the gestures given, with their time. */
function play(
  steps: readonly (readonly [Edge | 'tick', number])[],
  start: ButtonState = BUTTON_UP,
  options = OPTIONS,
) {
  let state = start;
  const given: [Gesture, number][] = [];
  const wakes: number[] = [];
  for (const [what, atMs] of steps) {
    const step = what === 'tick' ? tick(state, atMs, options) : onEdge(state, what, atMs, options);
    state = step.state;
    if (step.gesture !== undefined) given.push([step.gesture, atMs]);
    if (step.wakeAtMs !== undefined) wakes.push(step.wakeAtMs);
  }
  return { state, given, wakes };
}

describe('gestures', () => {
  it('gives a press on the release of a short press, and asks to be woken for the long press', () => {
    const { given, wakes, state } = play([
      [DOWN, 100],
      [UP, 250],
    ]);
    expect(given).toEqual([['press', 250]]);
    expect(wakes).toEqual([1100]);
    expect(state.down).toBe(false);
  });

  it('gives a long press once when held past longPressMs, and nothing on its release', () => {
    const { given } = play([
      [DOWN, 100],
      ['tick', 600],
      ['tick', 1100],
      ['tick', 1500],
      [UP, 2000],
    ]);
    expect(given).toEqual([['long-press', 1100]]);
  });

  it('gives the long press on a release after longPressMs when its timer was late', () => {
    expect(
      play([
        [DOWN, 0],
        [UP, 1000],
      ]).given,
    ).toEqual([['long-press', 1000]]);
  });

  it('ignores edges within the debounce window of the last edge taken (contact bounce)', () => {
    const { given } = play([
      [DOWN, 100],
      [UP, 102],
      [DOWN, 104],
      [UP, 108],
      [DOWN, 109],
      [UP, 300],
      [DOWN, 303],
      [UP, 306],
    ]);
    expect(given).toEqual([['press', 300]]);
  });

  it('takes an edge exactly debounceMs after the last one', () => {
    expect(
      play([
        [DOWN, 0],
        [UP, 10],
      ]).given,
    ).toEqual([['press', 10]]);
  });

  it('gives nothing for a press held across a reader restart, then reads the next press', () => {
    const before = play([[DOWN, 0]]);
    expect(before.state.down).toBe(true);
    const after = play(
      [
        ['tick', 1500], // the long-press timer was cleared by the reset; a stray tick does nothing
        [UP, 1600],
        [DOWN, 3000],
        [UP, 3100],
      ],
      reset(),
    );
    expect(after.given).toEqual([['press', 3100]]);
  });

  it('starts the press again from a press edge seen while down (a release was lost)', () => {
    const { given } = play([
      [DOWN, 0],
      [DOWN, 900],
      ['tick', 1000],
      [UP, 1200],
    ]);
    expect(given).toEqual([['press', 1200]]);
  });

  it('reads an active-high button the other way round', () => {
    const high = { ...OPTIONS, activeLow: false };
    expect(
      play(
        [
          ['rising', 0],
          ['falling', 200],
        ],
        BUTTON_UP,
        high,
      ).given,
    ).toEqual([['press', 200]]);
  });
});
