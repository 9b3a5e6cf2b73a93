/**
 * The gpiomon reader: its command lines and output for libgpiod v1 and v2 (pure), then the adapter
 * itself running scripts that stand in for `gpiomon` and `gpiodetect` (no GPIO chip here).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../../device/base/log.ts';
import {
  explainExit,
  gpiomonArgs,
  gpiomonReader,
  parseEventLine,
  parseLibgpiodVersion,
} from '../../../../device/sources/buttons/gpiomon.ts';
import type { LineEvent, LineEvents } from '../../../../device/sources/buttons/line-events.ts';
import { standInGpioTools } from '../../../fakes/gpio-tools.ts';
import { TimerClock } from '../../../fakes/timer-clock.ts';
import { waitFor } from '../../../fakes/wait.ts';

function capture() {
  const lines: { level: string; msg: string; context?: unknown }[] = [];
  return { lines, log: createLogger({ write: (line) => lines.push(JSON.parse(line)), level: 'debug' }) };
}

const MONITOR = { chip: 'gpiochip0', lines: [5, 6, 16, 24], debounceMs: 10, activeLow: true };

describe('gpiomon command lines and output', () => {
  it('reads the major version from --version (bookworm v1.6.3, as printed here; trixie v2.2.1)', () => {
    expect(
      parseLibgpiodVersion('gpiomon (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n'),
    ).toBe(1);
    expect(parseLibgpiodVersion('gpiomon (libgpiod) v2.2.1\n')).toBe(2);
    expect(parseLibgpiodVersion('gpiomon (libgpiod) v3.0\n')).toBeUndefined();
    expect(parseLibgpiodVersion('command not found')).toBeUndefined();
  });

  it('asks v1 for the pull-up, line-buffered output and its format; the chip and offsets last', () => {
    // Debian bookworm's gpiomon 1.6.3 accepts exactly these (checked on this machine, where it then
    // fails for want of a chip): --bias since 1.5, --line-buffered because stdout is a pipe.
    expect(gpiomonArgs(1, MONITOR)).toEqual([
      '--bias=pull-up',
      '--line-buffered',
      '--format=%o %e %s %n',
      'gpiochip0',
      '5',
      '6',
      '16',
      '24',
    ]);
  });

  it('asks v2 for the chip by option, the kernel debounce and its own format', () => {
    expect(gpiomonArgs(2, { ...MONITOR, activeLow: false, lines: [17] })).toEqual([
      '--chip=gpiochip0',
      '--bias=pull-down',
      '--edges=both',
      '--debounce-period=10ms',
      '--format=%o %E %S',
      '17',
    ]);
  });

  it('parses v1 events: 0 falling, 1 rising, seconds and unpadded nanoseconds', () => {
    expect(parseEventLine(1, '5 0 1234 5000000')).toEqual({
      line: 5,
      edge: 'falling',
      timestampNs: 1_234_005_000_000n,
    });
    expect(parseEventLine(1, '24 1 7 999999999\r')).toEqual({
      line: 24,
      edge: 'rising',
      timestampNs: 7_999_999_999n,
    });
  });

  it('parses v2 events: rising or falling, seconds.nanoseconds', () => {
    expect(parseEventLine(2, '16 rising 1234.005000000')).toEqual({
      line: 16,
      edge: 'rising',
      timestampNs: 1_234_005_000_000n,
    });
    expect(parseEventLine(2, '16 falling 3.5')).toEqual({
      line: 16,
      edge: 'falling',
      timestampNs: 3_500_000_000n,
    });
  });

  it('ignores lines of any other shape, in either version', () => {
    for (const line of ['', 'Monitoring lines 5, 6', '5 2 1 1', '5 rising 1', '5 1 1.5', 'x'.repeat(500)]) {
      expect(parseEventLine(1, line)).toBeUndefined();
      expect(parseEventLine(2, line)).toBeUndefined();
    }
  });

  it('explains why gpiomon stopped, with the fix', () => {
    expect(explainExit('gpiomon: unable to open chip: Permission denied\n', 1, MONITOR)).toContain(
      'add the service user to the gpio group',
    );
    expect(explainExit('gpiomon: error requesting GPIO lines: Device or resource busy\n', 1, MONITOR)).toBe(
      'lines 5, 6, 16, 24 of gpiochip0 busy (gpiomon: error requesting GPIO lines: Device or resource busy): ' +
        'another program holds them (`gpioinfo gpiochip0` names it: a script, or a gpio-key overlay in config.txt); ' +
        'stop it or wire the buttons elsewhere',
    );
    expect(explainExit('', null, MONITOR)).toBe('gpiomon exited with code none');
  });
});

describe('the gpiomon reader on stand-in tools', () => {
  let dir: string | undefined;
  let reader: LineEvents | undefined;
  afterEach(async () => {
    await reader?.stop();
    reader = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function tools(version: string, listing: string, monitor: string): { gpiomon: string; gpiodetect: string } {
    const stand = standInGpioTools(version, listing, monitor);
    dir = stand.dir;
    return stand;
  }

  function listen(events: LineEvent[], resets: string[]) {
    return {
      onEvent: (event: LineEvent) => void events.push(event),
      onReset: (why: string) => void resets.push(why),
    };
  }

  it('finds the header chip, runs gpiomon v2 on it and delivers its edges in order', async () => {
    const stand = tools(
      'v2.2.1',
      'gpiochip0 [gpio-brcmstb@107d508500] (32 lines)\ngpiochip4 [pinctrl-rp1] (54 lines)\n',
      "printf '5 falling 10.000000000\\n5 rising 10.200000000\\n'\nexec sleep 30",
    );
    const events: LineEvent[] = [];
    const resets: string[] = [];
    reader = gpiomonReader({
      chipLabel: 'auto',
      lines: [5, 6],
      debounceMs: 10,
      activeLow: true,
      log: silentLogger,
      tools: stand,
    });
    reader.start(listen(events, resets));
    await waitFor('two edges', () => events.length >= 2, 5_000);
    expect(events).toEqual([
      { line: 5, edge: 'falling', timestampNs: 10_000_000_000n },
      { line: 5, edge: 'rising', timestampNs: 10_200_000_000n },
    ]);
    expect(readFileSync(join(dir as string, 'args.txt'), 'utf8').split('\n')).toContain('--chip=gpiochip4');
    expect(resets).toEqual([]);
  });

  it('speaks v1 to a v1 gpiomon', async () => {
    const stand = tools(
      'v1.6.3',
      'gpiochip0 [pinctrl-bcm2711] (58 lines)\n',
      "printf '24 0 3 5\\n'\nexec sleep 30",
    );
    const events: LineEvent[] = [];
    reader = gpiomonReader({
      chipLabel: 'auto',
      lines: [24],
      debounceMs: 10,
      activeLow: true,
      log: silentLogger,
      tools: stand,
    });
    reader.start(listen(events, []));
    await waitFor('an edge', () => events.length >= 1, 5_000);
    expect(events).toEqual([{ line: 24, edge: 'falling', timestampNs: 3_000_000_005n }]);
    expect(readFileSync(join(dir as string, 'args.txt'), 'utf8')).toContain('--line-buffered');
  });

  it('reports a busy line as a reset with its fix, and retries only when its backoff is due', async () => {
    const stand = tools(
      'v2.2.1',
      'gpiochip0 [pinctrl-bcm2711] (58 lines)\n',
      "echo 'gpiomon: unable to request lines on chip /dev/gpiochip0: Device or resource busy' >&2\nexit 1",
    );
    const clock = new TimerClock();
    const resets: string[] = [];
    const { log, lines } = capture();
    reader = gpiomonReader({
      chipLabel: 'auto',
      lines: [5],
      debounceMs: 10,
      activeLow: true,
      log,
      tools: stand,
      clock,
      random: () => 0.5,
    });
    reader.start(listen([], resets));
    await waitFor('a reset', () => resets.length >= 1, 5_000);
    expect(resets[0]).toContain('line 5 of gpiochip0 busy');
    expect([...clock.timers.values()].map((t) => t.at - clock.nowMs)).toEqual([500]); // full jitter of 1 s at 0.5
    await clock.advance(500);
    await waitFor('a second reset', () => resets.length >= 2, 5_000);
    expect([...clock.timers.values()].map((t) => t.at - clock.nowMs)).toEqual([1000]); // then of 2 s
    // The same failure again is no new transition: one warning, then debug lines.
    expect(lines.filter((l) => l.msg === 'buttons not read').map((l) => l.level)).toEqual(['warn', 'debug']);
  });

  it('says "buttons read" once gpiomon has held the lines for 2 s', async () => {
    const stand = tools('v2.2.1', 'gpiochip0 [pinctrl-rp1] (54 lines)\n', 'exec sleep 30');
    const clock = new TimerClock();
    const { log, lines } = capture();
    reader = gpiomonReader({
      chipLabel: 'auto',
      lines: [5],
      debounceMs: 10,
      activeLow: true,
      log,
      tools: stand,
      clock,
    });
    reader.start(listen([], []));
    await waitFor('gpiomon started', () => clock.timers.size === 1, 5_000);
    await clock.advance(1999);
    expect(lines).toEqual([]);
    await clock.advance(1);
    expect(lines.map((l) => [l.msg, l.context])).toEqual([
      ['buttons read', { chip: 'gpiochip0', lines: [5], libgpiod: 2 }],
    ]);
  });

  it('kills a gpiomon that ignores SIGTERM 2 s into stop', async () => {
    const stand = tools(
      'v2.2.1',
      'gpiochip0 [pinctrl-rp1] (54 lines)\n',
      "trap '' TERM\nprintf '5 falling 1.0\\n'\nexec sleep 30",
    );
    const events: LineEvent[] = [];
    const running = gpiomonReader({
      chipLabel: 'auto',
      lines: [5],
      debounceMs: 10,
      activeLow: true,
      log: silentLogger,
      tools: stand,
    });
    running.start(listen(events, []));
    await waitFor('gpiomon running', () => events.length === 1, 5_000);
    const began = Date.now();
    await running.stop();
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_900);
  });

  it('says to install the gpiod package when the tools are missing', async () => {
    const clock = new TimerClock();
    const resets: string[] = [];
    reader = gpiomonReader({
      chipLabel: 'auto',
      lines: [5],
      debounceMs: 10,
      activeLow: true,
      log: silentLogger,
      tools: { gpiomon: '/nonexistent/gpiomon', gpiodetect: '/nonexistent/gpiodetect' },
      clock,
    });
    reader.start(listen([], resets));
    await waitFor('a reset', () => resets.length >= 1, 5_000);
    expect(resets[0]).toBe(
      "/nonexistent/gpiomon not found: install Debian's gpiod package (sudo apt install gpiod)",
    );
  });
});
