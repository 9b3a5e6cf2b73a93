/**
 * Night mode in the picture: the brightness of each frame, the legend's level and next change, the
 * fade frames, no timer between transitions beyond the one for the next, and urgent pixels.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../../device/agent/runtime.ts';
import { createLogger, silentLogger } from '../../../device/base/log.ts';
import {
  FADE_STEP_MS,
  MAX_WAIT_MS,
  type NightSettings,
  parseTimeOfDay,
} from '../../../device/brightness/schedule.ts';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { initialSyncState } from '../../../device/fleet/sync.ts';
import { isUrgent } from '../../../device/kinds/kinds.ts';
import { brightnessLogOutput } from '../../../device/outputs/outputs.ts';
import { emptyLegend, type Legend, legendToWire } from '../../../device/picture/legend.ts';
import {
  composePicture,
  type Picture,
  type PictureInput,
  urgentOnly,
} from '../../../device/picture/picture.ts';
import { INSTANCE_STATES } from '../../../shared/instance-state.ts';
import { TimerClock } from '../../fakes/timer-clock.ts';
import { instance } from '../../kit/builders.ts';

const fleetOf = (...instances: Item[]): Fleet => new Map(instances.map((i) => [i.id, i]));
const at = (iso: string): number => Date.parse(iso);

const night: NightSettings = {
  entries: [
    { at: parseTimeOfDay('07:00') as never, level: 0.5 },
    { at: parseTimeOfDay('23:00') as never, level: 'off' },
  ],
  timeZone: 'Europe/Berlin',
  fadeMs: 5_000,
  brightness: 0.4,
  urgentOverridesOff: true,
};

const oneRunning = fleetOf(instance(1, 'running'));

function compose(nowMs: number, over: Partial<PictureInput> = {}): Picture {
  return composePicture({
    fleet: oneRunning,
    slots: new Map(),
    listed: true,
    settings: { width: 3, height: 2, night },
    status: { connected: true, synced: true },
    nowMs,
    ...over,
  });
}

describe('composePicture with a brightness schedule', () => {
  it('gives each frame its brightness and the legend the level and the next change', () => {
    const day = compose(at('2024-01-16T12:00:00Z'));
    expect(day.brightness).toBe(0.5);
    expect(day.legend.brightness).toEqual({
      level: 0.5,
      next: { atMs: at('2024-01-16T22:00:00Z'), level: 'off' },
    });
    expect(day.wakeInMs).toBe(MAX_WAIT_MS);
    const late = compose(at('2024-01-16T21:59:00Z'));
    expect(late.wakeInMs).toBe(60_000);
  });

  it('has no brightness without a schedule: the display keeps its configured one', () => {
    const plain = compose(0, { settings: { width: 3, height: 2 } });
    expect(plain.brightness).toBeUndefined();
    expect(plain.legend.brightness).toBeUndefined();
    expect(plain.wakeInMs).toBeUndefined();
  });

  it('fades in frames FADE_STEP_MS apart and keeps one legend through the fade', () => {
    const start = at('2024-01-16T22:00:00Z');
    let picture = compose(start - 1);
    const brightness: number[] = [];
    const legends = new Set<Legend>();
    let nowMs = start;
    while (nowMs <= start + 5_000) {
      picture = compose(nowMs, { previous: picture });
      brightness.push(picture.brightness as number);
      legends.add(picture.legend);
      nowMs += picture.wakeInMs as number;
    }
    expect(brightness).toHaveLength(5_000 / FADE_STEP_MS + 1);
    expect(brightness[0]).toBe(0.5);
    expect(brightness.at(-1)).toBe(0);
    for (let i = 1; i < brightness.length; i++)
      expect(brightness[i]).toBeLessThan(brightness[i - 1] as number);
    expect(legends.size).toBe(1);
    expect([...legends][0]?.brightness?.level).toBe('off');
    // After the fade: one wake-up, for the next transition (capped at MAX_WAIT_MS).
    expect(picture.wakeInMs).toBe(MAX_WAIT_MS);
  });

  it('asks for no animation frames while the board is off', () => {
    const pulsing = fleetOf(instance(1, 'pending'));
    expect(compose(at('2024-01-16T12:00:00Z'), { fleet: pulsing }).wakeInMs).toBeLessThan(1_000);
    const dark = compose(at('2024-01-17T01:00:00Z'), { fleet: pulsing });
    expect(dark.brightness).toBe(0);
    expect(dark.animating).toBe(false);
    expect(dark.wakeInMs).toBe(MAX_WAIT_MS);
  });

  it('obeys a manual level until the next transition, and says so in the legend', () => {
    const manualLevel = { level: 0.9, atMs: at('2024-01-16T12:00:00Z') };
    const held = compose(at('2024-01-16T13:00:00Z'), { manualLevel });
    expect(held.brightness).toBe(0.9);
    expect(held.legend.brightness).toMatchObject({ level: 0.9, manual: true });
    expect(compose(at('2024-01-16T23:00:00Z'), { manualLevel }).legend.brightness?.level).toBe('off');
  });

  it('holds a manual level for good with a schedule of no entries (Home Assistant, no schedule)', () => {
    const settings = { width: 3, height: 2, night: { ...night, entries: [] } };
    const before = compose(at('2024-01-16T12:00:00Z'), { settings });
    expect(before.brightness).toBe(0.4);
    expect(before.legend.brightness).toEqual({ level: 0.4 });
    const manualLevel = { level: 'off' as const, atMs: at('2024-01-16T12:00:00Z') };
    const later = compose(at('2024-03-01T12:00:00Z'), { settings, manualLevel });
    expect(later.brightness).toBe(0);
    expect(later.legend.brightness).toEqual({ level: 'off', manual: true });
  });
});

describe('the brightness on the wire', () => {
  const legend: Legend = {
    ...emptyLegend(2, 1),
    brightness: { level: 0.1, manual: true, urgent: true, next: { atMs: 1, level: 'off' } },
  };

  it('goes out on the wire as the level and the next change, nothing more', () => {
    const extra = { ...legend, brightness: { ...legend.brightness, secret: 1 } } as Legend;
    expect(legendToWire(extra).brightness).toEqual(legend.brightness);
    expect('brightness' in legendToWire(emptyLegend(2, 1))).toBe(false);
  });
});

describe('the brightness log', () => {
  it('logs a line at each change of level, with the next change, and none for fade frames', async () => {
    const lines: string[] = [];
    const output = brightnessLogOutput(createLogger({ write: (line) => lines.push(line), now: () => 0 }));
    const start = at('2024-01-16T22:00:00Z');
    let picture: Picture | undefined;
    for (const nowMs of [start - 1_000, start, start + 2_500, start + 5_000, start + 60_000]) {
      picture = compose(nowMs, { previous: picture });
      await output.show(picture);
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        msg: 'brightness',
        context: { level: 0.5, next: 'off', nextAt: '2024-01-16T22:00:00.000Z' },
      }),
      expect.objectContaining({
        msg: 'brightness',
        context: { level: 'off', next: 0.5, nextAt: '2024-01-17T06:00:00.000Z' },
      }),
    ]);
  });
});

describe('no timer between transitions', () => {
  it('leaves exactly one timer, for the next transition, once a fade is over', async () => {
    const clock = new TimerClock(at('2024-01-16T21:59:59Z'));
    let previous: Picture | undefined;
    const brightness: number[] = [];
    const runtime = createRuntime({
      initial: initialSyncState(),
      effects: {
        subscribe: () => undefined,
        list: () => new Promise(() => undefined),
        describe: async () => [],
        dropped: () => undefined,
      },
      log: silentLogger,
      clock,
      draw: async (_state, nowMs) => {
        previous = compose(nowMs, { previous });
        brightness.push(previous.brightness as number);
        return previous.wakeInMs;
      },
    });
    runtime.redraw();
    await clock.advance(0);
    expect([...clock.timers.values()].map((t) => t.at)).toEqual([at('2024-01-16T22:00:00Z')]);
    await clock.advance(1_000 + 5_000);
    expect(brightness.length).toBe(1 + 5_000 / FADE_STEP_MS + 1);
    expect(brightness.at(-1)).toBe(0);
    expect([...clock.timers.values()].map((t) => t.at - clock.nowMs)).toEqual([MAX_WAIT_MS]);
    const frames = brightness.length;
    // Eight hours, through 07:00 in Berlin (06:00 UTC): a wake-up an hour, then the fade into the day.
    await clock.advance(8 * 3_600_000);
    expect(brightness.length - frames).toBe(7 + 5_000 / FADE_STEP_MS + 1);
    expect(brightness.at(-1)).toBe(0.5);
    await runtime.stop();
  });
});

describe('flash (identify of the whole board)', () => {
  it('blinks a board that is off at the configured brightness, changing neither its level nor its legend', () => {
    const offAt = at('2024-01-16T23:30:00Z');
    const identify = { target: { board: true as const }, untilMs: offAt + 2_000 };
    const dark = compose(offAt);
    expect(dark.brightness).toBe(0);
    const blinking = compose(offAt, { identify, previous: dark });
    expect(blinking.brightness).toBe(night.brightness);
    expect([...blinking.frame.rgb].every((v) => v === 255)).toBe(true);
    expect(blinking.legend).toBe(dark.legend);
    expect(blinking.wakeInMs).toBe(125);
    const after = compose(offAt + 2_000, { identify, previous: blinking });
    expect(after.brightness).toBe(0);
    expect(after.legend.brightness).toEqual(dark.legend.brightness);
  });

  it('blinks a lit board at its own brightness', () => {
    const dayAt = at('2024-01-16T12:00:00Z');
    const identify = { target: { board: true as const }, untilMs: dayAt + 2_000 };
    expect(compose(dayAt, { identify }).brightness).toBe(0.5);
  });
});

describe('urgent pixels', () => {
  it('no instance state is urgent', () => {
    for (const state of INSTANCE_STATES) expect(isUrgent('instance', state)).toBe(false);
  });

  it('urgentOnly keeps only the pixels the rule calls urgent', () => {
    const picture = compose(at('2024-01-16T12:00:00Z'), {
      fleet: fleetOf(instance(1, 'running'), instance(2, 'stopped')),
    });
    const onlyStopped = urgentOnly(picture.frame, picture.legend, (p) => p.entry?.state === 'stopped');
    const lit = picture.legend.pixels
      .filter((p) => onlyStopped.rgb.slice((p.y * 3 + p.x) * 3, (p.y * 3 + p.x) * 3 + 3).some((v) => v > 0))
      .map((p) => p.entry?.state);
    expect(lit).toEqual(['stopped']);
    expect(urgentOnly(picture.frame, picture.legend).rgb.every((v) => v === 0)).toBe(true);
  });
});
