/**
 * The runtime: carries out sync.ts's commands and paces the frames, on an injected clock. It holds
 * the sync state, the timers and the listing in flight; it decides nothing (sync.ts decides when to
 * list, describe and resync) and draws nothing (the caller's `draw` composes and shows a picture).
 *
 * Contract:
 * - Frames are "stingy": `redraw()` (or a `render` command) marks the picture dirty; frames are
 *   coalesced, at least MIN_FRAME_INTERVAL_MS apart, and one frame is drawn at a time. A burst of
 *   changes over T ms gives at most ⌈T / MIN_FRAME_INTERVAL_MS⌉ + 1 frames.
 * - After a frame, the next is armed only for the time `draw` returns (an animation step, a grace
 *   period ending) or for a redraw asked for during the frame: no timer runs while nothing animates.
 * - A `list` runs at once or after its delay; `cancel-list` aborts it and it reports nothing after.
 *   At most one timer per key (resync, each region's describe, the list retry).
 * - `framesIdle()` is true while no frame is armed or drawing: once true, nothing draws until an
 *   event or a redraw (a test's "nothing more is drawn", checked without waiting).
 * - `frameWaitMs` tells how long a frame asked for has waited to be drawn (the watchdog's check that
 *   the render loop is not stuck on a hung bus write).
 * - `stop()` takes no more events, clears every timer, aborts the listing and describes in flight,
 *   and resolves once the frame in flight (if any) has been drawn: after it, nothing draws again.
 */

import { type Clock, systemClock } from '../base/clock.ts';
import type { Logger } from '../base/log.ts';
import type { SyncEffects } from '../fleet/effects.ts';
import type { SyncCommand, SyncEvent, SyncState } from '../fleet/sync.ts';
import { step } from '../fleet/sync.ts';

/**
 * The closest two frames may follow each other (at most 100 a second). A burst of changes is
 * coalesced into frames this far apart: a change waits at most this long to be seen, and the bus and
 * the CPU are spared the rest. Every board takes a frame in less (the HAT HD's minimum is 8.3 ms).
 */
export const MIN_FRAME_INTERVAL_MS = 10;

export interface RuntimeOptions {
  readonly initial: SyncState;
  readonly effects: SyncEffects;
  /** Composes and shows one picture; resolves to when to draw again (undefined: not until asked). */
  readonly draw: (state: SyncState, nowMs: number) => Promise<number | undefined>;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface Runtime {
  dispatch(event: SyncEvent): void;
  /** Asks for a frame (coalesced). */
  redraw(): void;
  /**
   * How long the oldest frame asked for and not yet drawn has waited, or the frame in flight has
   * been drawing, at `nowMs`; 0 when nothing waits. The watchdog's "render loop not stuck".
   */
  frameWaitMs(nowMs: number): number;
  /** True while no frame is armed or drawing (always after `stop` resolved). */
  framesIdle(): boolean;
  state(): SyncState;
  /** Idempotent; resolves once the frame in flight is drawn. */
  stop(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { effects, log } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const abort = new AbortController();
  const timers = new Map<string, unknown>();
  let state = options.initial;
  let stopped = false;

  // Frames: dirty flag, one timer at most, frames at least MIN_FRAME_INTERVAL_MS apart.
  let frameTimer: unknown;
  let frameAt = Number.POSITIVE_INFINITY;
  let lastFrameAt = Number.NEGATIVE_INFINITY;
  let drawing = false;
  let dirty = false;
  /** When the oldest redraw not yet picked up by a frame was asked for, and when the frame in flight began. */
  let askedAt: number | undefined;
  let drawingSince: number | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const schedule = (inMs: number): void => {
    if (stopped) return;
    const at = Math.max(clock.now() + inMs, lastFrameAt + MIN_FRAME_INTERVAL_MS);
    if (frameTimer !== undefined && frameAt <= at) return;
    if (frameTimer !== undefined) clock.clearTimeout(frameTimer);
    frameAt = at;
    frameTimer = clock.setTimeout(
      () => {
        inFlight = frame();
      },
      Math.max(0, at - clock.now()),
    );
  };
  const frame = async (): Promise<void> => {
    frameTimer = undefined;
    frameAt = Number.POSITIVE_INFINITY;
    if (stopped) return;
    drawing = true;
    dirty = false;
    const nowMs = clock.now();
    lastFrameAt = nowMs;
    askedAt = undefined;
    drawingSince = nowMs;
    let wakeInMs: number | undefined;
    try {
      wakeInMs = await options.draw(state, nowMs);
    } catch (error) {
      log.error('frame failed', { error });
    }
    drawing = false;
    drawingSince = undefined;
    if (dirty) schedule(0);
    else if (wakeInMs !== undefined) schedule(wakeInMs);
  };
  const redraw = (): void => {
    askedAt ??= clock.now();
    dirty = true;
    if (!drawing) schedule(0);
  };

  const later = (key: string, afterMs: number, fire: () => void): void => {
    const previous = timers.get(key);
    if (previous !== undefined) clock.clearTimeout(previous);
    timers.set(
      key,
      clock.setTimeout(() => {
        timers.delete(key);
        fire();
      }, afterMs),
    );
  };
  const cancel = (key: string): void => {
    const handle = timers.get(key);
    if (handle !== undefined) clock.clearTimeout(handle);
    timers.delete(key);
  };

  /** The outstanding listing's own abort: `cancel-list` fires it, and then it reports nothing. */
  let listing: AbortController | undefined;
  const list = (): void => {
    timers.delete('list');
    const own = new AbortController();
    listing = own;
    // Stopping aborts the listing too (AbortSignal.any needs Node 20.3; engines says 20).
    const onStop = (): void => own.abort();
    abort.signal.addEventListener('abort', onStop, { once: true });
    effects
      .list(own.signal)
      .finally(() => abort.signal.removeEventListener('abort', onStop))
      .then(
        (snapshot) => {
          if (own.signal.aborted) return;
          dispatch({ type: 'listed', snapshot });
          if (!stopped) log.info('synced', { instances: state.fleet.size, synced: state.synced });
        },
        (error: Error & { throttled?: boolean }) => {
          if (own.signal.aborted) return;
          log.warn('listing failed', { error: error.message, throttled: error.throttled === true });
          dispatch({ type: 'list-failed', throttled: error.throttled === true, reason: error.message });
        },
      );
  };

  const run = (command: SyncCommand): void => {
    switch (command.type) {
      case 'subscribe':
        effects.subscribe();
        return;
      case 'list':
        if (command.afterMs <= 0) list();
        else later('list', command.afterMs, list);
        return;
      case 'cancel-list':
        if (command.reason === 'stuck') log.warn('listing superseded', { reason: command.reason });
        else log.info('listing superseded', { reason: command.reason });
        cancel('list');
        listing?.abort();
        listing = undefined;
        return;
      case 'schedule-resync':
        later('resync', command.afterMs, () => {
          log.info('resync');
          dispatch({ type: 'resync-due' });
        });
        return;
      case 'schedule-describe':
        later(`describe:${command.region}`, command.afterMs, () =>
          dispatch({ type: 'describe-due', region: command.region }),
        );
        return;
      case 'describe':
        effects.describe(command.region, command.ids, abort.signal).then(
          (details) => dispatch({ type: 'described', ids: command.ids, details }),
          (error: Error) =>
            dispatch({
              type: 'describe-failed',
              region: command.region,
              ids: command.ids,
              reason: error.message,
            }),
        );
        return;
      case 'render':
        redraw();
        return;
      case 'dropped':
        effects.dropped(command);
        return;
    }
  };

  function dispatch(event: SyncEvent): void {
    if (stopped) return;
    const result = step(state, event, clock.now(), random);
    state = result.state;
    for (const command of result.commands) run(command);
  }

  let stopping: Promise<void> | undefined;
  return {
    dispatch,
    redraw,
    frameWaitMs: (nowMs) => Math.max(0, nowMs - Math.min(askedAt ?? nowMs, drawingSince ?? nowMs)),
    framesIdle: () => (stopped || frameTimer === undefined) && !drawing,
    state: () => state,
    stop() {
      stopping ??= (() => {
        stopped = true;
        abort.abort();
        if (frameTimer !== undefined) clock.clearTimeout(frameTimer);
        for (const handle of timers.values()) clock.clearTimeout(handle);
        timers.clear();
        return inFlight.catch(() => undefined);
      })();
      return stopping;
    },
  };
}
