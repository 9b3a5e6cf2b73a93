/**
 * The runtime's contract on a fake clock: frame pacing, no idle timer, coalescing, stop. Timers fire
 * only when the test advances the clock, so every assertion is exact and nothing waits for real time.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, MIN_FRAME_INTERVAL_MS } from '../../device/agent/runtime.ts';
import { silentLogger } from '../../device/base/log.ts';
import type { SyncEffects } from '../../device/fleet/effects.ts';
import type { Snapshot } from '../../device/fleet/item.ts';
import { initialSyncState, type SyncState } from '../../device/fleet/sync.ts';
import { settle, TimerClock } from '../fakes/timer-clock.ts';

const noEffects: SyncEffects = {
  subscribe: () => undefined,
  list: () => new Promise<Snapshot>(() => undefined),
  describe: async () => [],
  dropped: () => undefined,
};

function setUp(
  options: { wakeInMs?: () => number | undefined; drawMs?: number; effects?: SyncEffects } = {},
) {
  const clock = new TimerClock();
  const frames: number[] = [];
  let release: (() => void) | undefined;
  const runtime = createRuntime({
    initial: initialSyncState(),
    effects: options.effects ?? noEffects,
    log: silentLogger,
    clock,
    random: () => 0.5,
    draw: async (_state: SyncState, nowMs: number) => {
      frames.push(nowMs);
      if (options.drawMs !== undefined) {
        await new Promise<void>((resolve) => {
          release = resolve;
          clock.setTimeout(resolve, options.drawMs as number);
        });
      }
      return options.wakeInMs?.();
    },
  });
  return { clock, frames, runtime, release: () => release?.() };
}

describe('runtime frames', () => {
  it('draws frames at least MIN_FRAME_INTERVAL_MS apart', async () => {
    const { clock, frames, runtime } = setUp();
    runtime.redraw();
    await clock.advance(0);
    runtime.redraw();
    await clock.advance(1);
    expect(frames).toHaveLength(1);
    await clock.advance(MIN_FRAME_INTERVAL_MS);
    expect(frames).toHaveLength(2);
    expect((frames[1] as number) - (frames[0] as number)).toBe(MIN_FRAME_INTERVAL_MS);
  });

  it('arms no timer while nothing animates', async () => {
    const { clock, frames, runtime } = setUp({ wakeInMs: () => undefined });
    runtime.redraw();
    await clock.advance(100);
    expect(frames).toHaveLength(1);
    expect(clock.timers.size).toBe(0);
    expect(runtime.framesIdle()).toBe(true);
    await clock.advance(60_000);
    expect(frames).toHaveLength(1);
  });

  it('draws again when the picture asks (an animation), and stops when it no longer does', async () => {
    let animating = 3;
    const { clock, frames, runtime } = setUp({ wakeInMs: () => (animating-- > 0 ? 50 : undefined) });
    expect(runtime.framesIdle()).toBe(true);
    runtime.redraw();
    expect(runtime.framesIdle()).toBe(false); // armed
    await clock.advance(60);
    expect(runtime.framesIdle()).toBe(false); // animating: the next step is armed
    await clock.advance(940);
    expect(runtime.framesIdle()).toBe(true);
    expect(frames.map((at) => at - (frames[0] as number))).toEqual([0, 50, 100, 150]);
    expect(clock.timers.size).toBe(0);
  });

  it('coalesces a burst of N changes into at most ⌈burst / interval⌉ + 1 frames', async () => {
    for (const [changes, spacingMs] of [
      [100, 0],
      [100, 1],
      [37, 3],
      [20, 25],
    ] as const) {
      const { clock, frames, runtime } = setUp();
      // Spacing 0: the changes arrive in one tick (one MQTT read); else one every spacingMs.
      for (let i = 0; i < changes; i++) {
        runtime.redraw();
        if (spacingMs > 0) await clock.advance(spacingMs);
      }
      const burstMs = changes * spacingMs;
      await clock.advance(1_000);
      expect(frames.length, `${changes} changes ${spacingMs} ms apart`).toBeLessThanOrEqual(
        Math.ceil(burstMs / MIN_FRAME_INTERVAL_MS) + 1,
      );
      const last = frames.at(-1) as number;
      expect(last, 'the last change is drawn').toBeGreaterThanOrEqual(clock.nowMs - 1_000 - spacingMs);
    }
  });

  it('draws one frame at a time: a redraw during a slow frame waits for it', async () => {
    const { clock, frames, runtime } = setUp({ drawMs: 40 });
    runtime.redraw();
    await clock.advance(5);
    runtime.redraw();
    runtime.redraw();
    await clock.advance(20);
    expect(frames).toHaveLength(1);
    await clock.advance(100);
    expect(frames).toHaveLength(2);
    expect((frames[1] as number) - (frames[0] as number)).toBe(40);
  });

  it('stop waits for the frame in flight, then draws nothing and leaves no timer', async () => {
    let animating = true;
    const { clock, frames, runtime, release } = setUp({
      drawMs: 30,
      wakeInMs: () => (animating ? 50 : undefined),
    });
    runtime.redraw();
    await clock.advance(1);
    let stopped = false;
    const stop = runtime.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    expect(runtime.framesIdle()).toBe(false); // drawing
    release();
    await stop;
    expect(stopped).toBe(true);
    expect(runtime.framesIdle()).toBe(true);
    animating = true;
    runtime.redraw();
    await clock.advance(1_000);
    expect(frames).toHaveLength(1);
    expect(clock.timers.size).toBe(0);
  });
});

describe('runtime commands', () => {
  it('runs a delayed list on its timer, and cancel-list makes the listing report nothing', async () => {
    const listings: AbortSignal[] = [];
    const effects: SyncEffects = {
      ...noEffects,
      list: (signal) => {
        listings.push(signal);
        return new Promise<Snapshot>(() => undefined);
      },
    };
    const { clock, runtime } = setUp({ effects });
    runtime.dispatch({ type: 'connected', rejoined: false, first: true });
    runtime.dispatch({ type: 'subscribed' });
    expect(listings).toHaveLength(1);
    // A reconnection supersedes the outstanding listing: its signal is aborted.
    runtime.dispatch({ type: 'connected', rejoined: true, first: false });
    expect(listings[0]?.aborted).toBe(true);
    expect(listings).toHaveLength(2);
    await clock.advance(0);
    expect(runtime.state().listing).toBeDefined();
  });

  it('arms the resync timer from sync.ts and fires resync-due on it', async () => {
    let lists = 0;
    const effects: SyncEffects = {
      ...noEffects,
      list: async () => {
        lists += 1;
        return { startedAtMs: 1_000_000, items: [] };
      },
    };
    const { clock, runtime } = setUp({ effects });
    runtime.dispatch({ type: 'connected', rejoined: false, first: true });
    runtime.dispatch({ type: 'subscribed' });
    await clock.advance(0);
    expect(lists).toBe(1);
    expect(runtime.state().synced).toBe(true);
    await clock.advance(runtime.state().resyncMs - 1);
    expect(lists).toBe(1);
    await clock.advance(1);
    expect(lists).toBe(2);
    await runtime.stop();
    expect(clock.timers.size).toBe(0);
  });
});
