/** What the watchdog counts as healthy: frames drawn in time, an MQTT client that is connected or still trying. */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../../../device/agent/runtime.ts';
import {
  agentChecks,
  checkHealth,
  FRAME_STUCK_MS,
  healthBounds,
} from '../../../../device/agent/watchdog/health.ts';
import { createLogger } from '../../../../device/base/log.ts';
import { initialSyncState } from '../../../../device/fleet/sync.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';

const bounds = healthBounds(10); // mqtt.reconnectMaxSeconds default: 10 s + 90 s slack
const subscribed = { connected: true, subscription: 'confirmed' } as const;

describe('checkHealth', () => {
  it('is healthy while frames are drawn in time and the client is connected, however quiet', () => {
    expect(bounds).toEqual({ frameMs: 20_000, feedSilentMs: 100_000 });
    expect(
      checkHealth({ frameWaitMs: 0, sync: subscribed, feedSilentMs: 3_600_000 }, bounds),
    ).toBeUndefined();
  });

  it('is unhealthy once a frame has waited longer than the bound (a board write that hangs)', () => {
    expect(
      checkHealth({ frameWaitMs: FRAME_STUCK_MS, sync: subscribed, feedSilentMs: 0 }, bounds),
    ).toBeUndefined();
    expect(
      checkHealth({ frameWaitMs: FRAME_STUCK_MS + 1, sync: subscribed, feedSilentMs: 0 }, bounds),
    ).toMatch(/a frame has waited 20 s to be drawn \(limit 20 s\): the board write hangs/);
  });

  it('counts a disconnected client that keeps reporting attempts as healthy, and a silent one as wedged', () => {
    const down = { connected: false, subscription: 'none' } as const;
    expect(checkHealth({ frameWaitMs: 0, sync: down, feedSilentMs: 100_000 }, bounds)).toBeUndefined();
    expect(checkHealth({ frameWaitMs: 0, sync: down, feedSilentMs: 100_001 }, bounds)).toMatch(
      /reported nothing for 100 s while disconnected \(limit 100 s\): it is wedged/,
    );
  });

  it('counts a SUBSCRIBE that waits for its SUBACK with a silent client as wedged', () => {
    const waiting = { connected: true, subscription: 'requested' } as const;
    expect(checkHealth({ frameWaitMs: 0, sync: waiting, feedSilentMs: 5_000 }, bounds)).toBeUndefined();
    expect(checkHealth({ frameWaitMs: 0, sync: waiting, feedSilentMs: 200_000 }, bounds)).toMatch(
      /while awaiting a SUBACK/,
    );
  });
});

describe('agentChecks over a real runtime', () => {
  it('sees a stuck render loop: a frame whose draw never returns', async () => {
    const clock = new TimerClock();
    let release: () => void = () => undefined;
    const runtime = createRuntime({
      initial: initialSyncState(),
      effects: {
        subscribe: () => undefined,
        list: () => new Promise(() => undefined),
        describe: async () => [],
        dropped: () => undefined,
      },
      draw: () => new Promise((resolve) => (release = () => resolve(undefined))),
      log: createLogger({ write: () => undefined }),
      clock,
    });
    const mqtt = { lastActivityMs: Date.now() };
    const checks = agentChecks(runtime, mqtt, 10, clock.now);
    expect(checks.settled()).toBe(false);
    expect(runtime.frameWaitMs(clock.now())).toBe(0);
    runtime.redraw();
    await clock.advance(FRAME_STUCK_MS);
    expect(runtime.frameWaitMs(clock.now())).toBe(FRAME_STUCK_MS);
    expect(checks.health()).toBeUndefined();
    await clock.advance(1);
    // Disconnected but the client just reported: only the frame is the problem.
    expect(checks.health()).toMatch(/a frame has waited 20 s/);
    release();
    await clock.advance(1);
    expect(runtime.frameWaitMs(clock.now())).toBe(0);
    expect(checks.health()).toBeUndefined();
    await runtime.stop();
  });
});
