/** Home Assistant's light commands: obeyed, and logged at a bounded cost however many arrive. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../device/base/log.ts';
import type { Level } from '../../../../device/brightness/schedule.ts';
import { lightCommands, MAX_COMMAND_BYTES } from '../../../../device/outputs/home-assistant/commands.ts';

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setUp() {
  const lines: { level: string; msg: string; context: Record<string, unknown> }[] = [];
  const levels: Level[] = [];
  const flashes: number[] = [];
  const commands = lightCommands({
    log: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
    onLevelNow: () => 0.5,
    onLevel: (level) => levels.push(level),
    onFlash: (durationMs) => flashes.push(durationMs),
  });
  return { commands, lines, levels, flashes };
}

describe('light commands', () => {
  it('obeys levels and flashes, and refuses what it cannot read, too large included', () => {
    const t = setUp();
    t.commands.receive(bytes('{"state":"OFF"}'));
    t.commands.receive(bytes('{"state":"ON","flash":2}'));
    t.commands.receive(bytes('{"state":"ON","brightness":51}'));
    t.commands.receive(bytes(`{"state":"ON","brightness":51,"x":"${'x'.repeat(MAX_COMMAND_BYTES)}"}`));
    t.commands.receive(new Uint8Array([0xff, 0xfe, 0x00]).buffer);
    expect(t.levels).toEqual(['off', 0.2]);
    expect(t.flashes).toEqual([2_000]);
    t.commands.close();
    const ignored = t.lines.filter((line) => line.msg === 'light commands ignored');
    expect(ignored.at(-1)?.context).toMatchObject({
      total: 2,
      counts: { 'not JSON': 1 },
    });
    expect(ignored[0]?.context.counts).toEqual({ [`larger than ${MAX_COMMAND_BYTES} bytes`]: 1 });
  });

  it('10,000 bad commands and 10,001 valid ones cost a few log lines, not 20,000', () => {
    const t = setUp();
    for (let i = 0; i < 10_000; i++)
      t.commands.receive(bytes(i % 2 === 0 ? `bad ${i}` : `{"state":"on${i}"}`));
    for (let i = 0; i <= 10_000; i++) {
      const payload =
        i % 3 === 0
          ? '{"state":"OFF"}'
          : i % 3 === 1
            ? `{"state":"ON","brightness":${i % 256}}`
            : '{"state":"ON","flash":2}';
      t.commands.receive(bytes(payload));
    }
    // The first of each at once; the rest counted into one line a minute.
    expect(t.lines.map((line) => line.msg)).toEqual(['light commands ignored', 'light commands']);
    vi.advanceTimersByTime(60_000);
    expect(t.lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'light commands ignored'],
      ['info', 'light commands'],
      ['warn', 'light commands ignored'],
      ['info', 'light commands'],
    ]);
    expect(t.lines[2]?.context).toMatchObject({ dropped: 9_999, total: 10_000 });
    expect(t.lines[3]?.context).toMatchObject({ commands: 10_000, total: 10_001 });
    expect(t.levels.length + t.flashes.length).toBe(10_001);
    // Quiet: no more lines, no timer left.
    vi.advanceTimersByTime(600_000);
    expect(t.lines).toHaveLength(4);
    t.commands.close();
    expect(t.lines).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });
});
