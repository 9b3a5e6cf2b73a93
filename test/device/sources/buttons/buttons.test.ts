/** The buttons end to end below the agent: fake edges -> gestures -> actions, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../device/base/log.ts';
import type { Level } from '../../../../device/brightness/schedule.ts';
import { buttonsOptionsSchema, resolveButtons } from '../../../../device/config/buttons-options.ts';
import type { ButtonTargets } from '../../../../device/sources/buttons/actions.ts';
import { startButtons } from '../../../../device/sources/buttons/buttons.ts';
import { FakeLineEvents } from '../../../fakes/fake-line-events.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';

function setup(raw: unknown = {}, targets?: Partial<ButtonTargets>) {
  const options = buttonsOptionsSchema.parse(raw);
  const clock = new TimerClock(0);
  const reader = new FakeLineEvents();
  const calls: unknown[][] = [];
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)), level: 'info' });
  let level: Level | undefined;
  const buttons = startButtons({
    buttons: resolveButtons(options),
    reader,
    gestures: options,
    clock,
    targets: {
      acknowledge: (...args) => calls.push(['acknowledge', ...args]),
      snooze: (...args) => calls.push(['snooze', ...args]),
      highlightNextUrgent: (...args) => calls.push(['highlightNextUrgent', ...args]),
      ...targets,
    },
    brightness: {
      level: () => level ?? 0.5,
      set(next) {
        level = next;
      },
    },
    snoozeMs: options.snoozeMinutes * 60_000,
    log,
  });
  /** A press of `ms` on `line`, starting now, with the clock's timers run through it. */
  const press = async (line: number, ms: number) => {
    reader.down(line, clock.nowMs);
    await clock.advance(ms);
    reader.up(line, clock.nowMs);
    await clock.advance(50);
  };
  return { clock, reader, calls, lines, buttons, press, level: () => level };
}

describe('the HAT Mini buttons with the default map', () => {
  it('A acknowledges every urgent pixel, B snoozes them for an hour, Y highlights the next', async () => {
    const { press, calls } = setup();
    await press(5, 120);
    await press(6, 120);
    await press(24, 120);
    expect(calls).toEqual([
      ['acknowledge', { all: true }, 'button'],
      ['snooze', { all: true }, 3_600_000, 'button'],
      ['highlightNextUrgent', 'button'],
    ]);
  });

  it('X steps the brightness down and wraps; held, it hands the brightness back to the schedule', async () => {
    const { press, level } = setup();
    const seen: (Level | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      await press(16, 100);
      seen.push(level());
    }
    expect(seen).toEqual([0.25, 0.1, 'off', 1, 0.5]);
    await press(16, 1500);
    expect(level()).toBeUndefined();
  });

  it('runs a long press once, while the button is still held', async () => {
    const { reader, clock, calls } = setup({ map: { A: { longPress: 'snooze-all' } } });
    reader.down(5, clock.nowMs);
    await clock.advance(999);
    expect(calls).toEqual([]);
    await clock.advance(1);
    expect(calls).toEqual([['snooze', { all: true }, 3_600_000, 'button']]);
    await clock.advance(5000);
    reader.up(5, clock.nowMs);
    await clock.advance(50);
    expect(calls).toHaveLength(1);
  });

  it('times the long press on its own clock, whatever clock the edges are stamped on', async () => {
    const { reader, clock, calls } = setup({ map: { A: { longPress: 'snooze-all' } } });
    const kernel = (ms: number) => ms + 987_654_321; // the edges' clock, far from the timer's
    reader.down(5, kernel(clock.nowMs));
    await clock.advance(999);
    expect(calls).toEqual([]);
    await clock.advance(1);
    expect(calls).toEqual([['snooze', { all: true }, 3_600_000, 'button']]);
    reader.up(5, kernel(clock.nowMs));
    await clock.advance(50);
    expect(calls).toHaveLength(1);
  });

  it('runs one action for a press that bounces', async () => {
    const { reader, clock, calls } = setup();
    for (const [edge, at] of [
      ['down', 0],
      ['up', 2],
      ['down', 5],
      ['up', 200],
      ['down', 204],
      ['up', 207],
    ] as const) {
      await clock.advance(at - clock.nowMs);
      reader[edge](5, clock.nowMs);
    }
    await clock.advance(2000);
    expect(calls).toEqual([['acknowledge', { all: true }, 'button']]);
  });

  it('runs nothing for a press held across a reader restart, and reads the next press', async () => {
    const { reader, clock, calls, press } = setup({ map: { A: { longPress: 'snooze-all' } } });
    reader.down(5, clock.nowMs);
    await clock.advance(300);
    reader.restart();
    await clock.advance(2000); // no long press: the timer went with the restart
    reader.up(5, clock.nowMs);
    await clock.advance(50);
    expect(calls).toEqual([]);
    await press(5, 100);
    expect(calls).toEqual([['acknowledge', { all: true }, 'button']]);
  });

  it('follows the map: a remapped button, a button on another line, and "none"', async () => {
    const { press, calls } = setup({
      snoozeMinutes: 15,
      map: { A: { press: 'snooze-all' }, B: { press: 'none' }, door: { line: 17, press: 'acknowledge-all' } },
    });
    await press(5, 100);
    await press(6, 100);
    await press(17, 100);
    await press(3, 100); // no button there
    expect(calls).toEqual([
      ['snooze', { all: true }, 900_000, 'button'],
      ['acknowledge', { all: true }, 'button'],
    ]);
  });

  it('logs a target that throws or rejects, and keeps reading', async () => {
    const { press, lines, calls } = setup(
      {},
      {
        acknowledge: () => {
          throw new Error('store closed');
        },
        snooze: () => Promise.reject(new Error('disk full')),
      },
    );
    await press(5, 100);
    await press(6, 100);
    await press(24, 100);
    expect(
      lines
        .filter((l) => l.msg === 'button action failed')
        .map((l) => (l.context as { error: string }).error),
    ).toEqual(['store closed', 'disk full']);
    expect(calls).toEqual([['highlightNextUrgent', 'button']]);
  });

  it('stops its timers and the reader', async () => {
    const { reader, clock, buttons, calls } = setup({ map: { A: { longPress: 'snooze-all' } } });
    reader.down(5, clock.nowMs);
    await buttons.stop();
    expect(reader.stopped).toBe(true);
    expect(clock.timers.size).toBe(0);
    expect(calls).toEqual([]);
  });
});

describe('the buttons config', () => {
  it('refuses a new button without a line, naming the key and the fix', () => {
    const result = buttonsOptionsSchema.safeParse({ map: { door: { press: 'acknowledge-all' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['map.door.line', 'button door needs a line (only A, B, X and Y have one by default)'],
    ]);
  });

  it('leaves out buttons with nothing to do, and keeps one button a line', () => {
    const options = buttonsOptionsSchema.parse({
      map: { B: { press: 'none' }, Y: { press: 'none' }, other: { line: 5, press: 'brightness-step' } },
    });
    expect(resolveButtons(options).map((b) => [b.name, b.line])).toEqual([
      ['X', 16],
      ['other', 5],
    ]);
  });
});
