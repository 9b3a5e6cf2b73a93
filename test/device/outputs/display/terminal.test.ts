import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTerminalBoard } from '../../../../device/outputs/display/boards/terminal.ts';
import { formatAge } from '../../../../device/outputs/display/boards/terminal-legend.ts';
import type { Frame } from '../../../../device/picture/frame.ts';
import { blankFrame } from '../../../../device/picture/frame.ts';
import type { Legend, LegendPixel } from '../../../../device/picture/legend.ts';
import { FakeOutput } from '../../../fakes/display/fake-output.ts';
import { art } from './frames.ts';

const ESC = '\x1b';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function pixel(
  x: number,
  y: number,
  name: string,
  change: Partial<LegendPixel['entry'] & object> = {},
): LegendPixel {
  return {
    x,
    y,
    color: '#00ff00',
    entry: {
      kind: 'instance',
      id: `i-0${x}${y}0000000000000`.slice(0, 19),
      name,
      state: 'running',
      region: 'eu-west-1',
      account: '123456789012',
      sinceMs: NOW - 5 * 60_000,
      ...change,
    },
  };
}

function view(pixels: LegendPixel[], change: Partial<Legend> = {}): Legend {
  return { width: 2, height: 2, connected: true, synced: true, overflow: 0, pixels, ...change };
}

async function openTerminal(legend: Legend, size: { width?: number; height?: number; rows?: number } = {}) {
  const output = new FakeOutput(size.rows === undefined ? {} : { rows: size.rows });
  const terminal = createTerminalBoard({
    output,
    width: size.width ?? 2,
    height: size.height ?? 2,
    now: () => NOW,
  });
  await terminal.open();
  // The legend goes down with every frame, as the agent's display output sends it.
  const board = { ...terminal, show: (frame: Frame) => terminal.show(frame, legend) };
  return { output, board };
}

const OWN_SEQUENCES = new RegExp(`${ESC}\\[(?:[0-9;]*m|\\?(?:25|1049)[hl]|[HJK])`, 'g');
/** Control characters other than the newlines between lines. */
const CONTROLS = /(?!\n)\p{Cc}/u;

/** Removes the sequences the terminal board itself writes, so anything left came from data. */
function withoutOwnSequences(text: string): string {
  return text.replace(OWN_SEQUENCES, '');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('terminal board', () => {
  it('switches to the alternate screen and hides the cursor on open', async () => {
    const { output } = await openTerminal(view([]));
    expect(output.text()).toBe(`${ESC}[?1049h${ESC}[?25l${ESC}[H${ESC}[J`);
  });

  it('draws two pixel rows per line as ▀ with the top pixel in front and the bottom one behind', async () => {
    const { output, board } = await openTerminal(view([]));
    await board.show(
      art(`
        RG
        BW`),
    );
    const line =
      `${ESC}[38;2;255;0;0m${ESC}[48;2;0;0;255m▀` +
      `${ESC}[38;2;0;255;0m${ESC}[48;2;255;255;255m▀` +
      `${ESC}[0m`;
    expect(output.last()).toContain(line);
  });

  it('leaves the background at its default under an odd last row, and draws unlit pixels dark grey', async () => {
    const { output, board } = await openTerminal(view([]), { width: 1, height: 3 });
    await board.show(
      art(`
        R
        .
        Y`),
    );
    expect(output.last()).toContain(`${ESC}[38;2;255;0;0m${ESC}[48;2;40;40;40m▀${ESC}[0m`);
    expect(output.last()).toContain(`${ESC}[38;2;255;255;0m${ESC}[49m▀${ESC}[0m`);
  });

  it('redraws in place: every frame starts at cursor home and erases what is below it', async () => {
    const { output, board } = await openTerminal(view([]));
    await board.show(blankFrame(2, 2));
    await board.show(blankFrame(2, 2));
    for (const frame of output.chunks.slice(1)) {
      expect(frame.startsWith(`${ESC}[H`)).toBe(true);
      expect(frame.endsWith(`${ESC}[J`)).toBe(true);
    }
  });

  it('prints a legend row per instance: pixel, id, Name, state, region and time in state', async () => {
    const legend = view([
      pixel(0, 0, 'web-1'),
      pixel(1, 1, 'db', { state: 'stopping', region: 'us-east-1', sinceMs: NOW - 42_000 }),
      { x: 1, y: 0, color: '#000000', entry: null },
    ]);
    const { output, board } = await openTerminal(legend);
    await board.show(blankFrame(2, 2));
    const lines = withoutOwnSequences(output.last()).split('\n');
    expect(lines.find((l) => l.includes('web-1'))).toMatch(
      /■ 0,0\s+i-0000000000000000\s+web-1\s+running\s+eu-west-1\s+5m/,
    );
    expect(lines.find((l) => l.includes(' db '))).toMatch(/■ 1,1 .*stopping\s+us-east-1\s+42s/);
    expect(lines.filter((l) => l.includes('■'))).toHaveLength(2);
    expect(output.last()).toContain(`${ESC}[38;2;0;255;0m■`);
  });

  it('says on the status line when the feed is down, not yet synced, or the fleet overflows', async () => {
    const { output, board } = await openTerminal(view([], { connected: false, synced: false, overflow: 3 }));
    await board.show(blankFrame(2, 2));
    expect(output.last()).toContain(
      'DISCONNECTED: picture may be stale · syncing · 3 more instances than pixels',
    );
  });

  it('prints a caption under the status line, read per frame and sanitized', async () => {
    let caption = 'demo day 1 08:00';
    const output = new FakeOutput({});
    const board = createTerminalBoard({
      output,
      width: 2,
      height: 2,
      now: () => NOW,
      caption: () => caption,
    });
    await board.open();
    await board.show(blankFrame(2, 2), view([]));
    expect(withoutOwnSequences(output.last()).split('\n')[1]).toBe('demo day 1 08:00');
    caption = `day 2 ${ESC}[31mred\u202E`;
    await board.show(blankFrame(2, 2), view([]));
    const second = withoutOwnSequences(output.last()).split('\n')[1] ?? '';
    expect(second).toContain('day 2');
    expect(second).not.toMatch(CONTROLS);
    expect(second).not.toContain('\u202E');
  });

  it('prints every line of a multi-line caption, each sanitized', async () => {
    const output = new FakeOutput({});
    const board = createTerminalBoard({
      output,
      width: 2,
      height: 2,
      now: () => NOW,
      caption: () => `demo day 1 08:00\nlegend: npx ec2led ${ESC}[2Jstatus`,
    });
    await board.open();
    await board.show(blankFrame(2, 2), view([]));
    const lines = withoutOwnSequences(output.last()).split('\n');
    expect(lines.slice(1, 3)).toEqual(['demo day 1 08:00', 'legend: npx ec2led status']);
  });

  it('with refreshMs, redraws the last frame on a timer so the caption moves while nothing changes', async () => {
    vi.useFakeTimers();
    let clock = 0;
    const output = new FakeOutput({});
    const board = createTerminalBoard({
      output,
      width: 2,
      height: 2,
      now: () => NOW,
      caption: () => `clock ${clock++}`,
      refreshMs: 500,
      age: () => 'sim',
    });
    await board.open();
    await board.show(blankFrame(2, 2), view([pixel(0, 0, 'web')]));
    expect(withoutOwnSequences(output.last()).split('\n')[1]).toBe('clock 0');
    await vi.advanceTimersByTimeAsync(1000);
    expect(withoutOwnSequences(output.last()).split('\n')[1]).toBe('clock 2');
    expect(withoutOwnSequences(output.last())).toMatch(/eu-west-1 sim/);
    await board.close();
    const writes = output.chunks.length;
    await vi.advanceTimersByTimeAsync(2000);
    expect(output.chunks.length).toBe(writes);
  });

  it('sanitizes hostile Name tags: no escape sequence, no bidi override, truncated to the column', async () => {
    const names = [
      `${ESC}[2J${ESC}[5;31mevil`,
      `${ESC}]0;pwned\x07title`,
      `${ESC}]52;c;ZXZpbA==${ESC}\\clip`,
      'abc\u202eexe.txt\u2066x\u2069',
      'A'.repeat(256),
      'line\nbreak\rreturn\x08\x00',
    ];
    const { output, board } = await openTerminal(
      view(names.map((name, i) => pixel(i % 2, Math.floor(i / 2), name))),
    );
    await board.show(blankFrame(2, 2));
    const text = output.last();
    const rest = withoutOwnSequences(text);
    expect(rest).not.toContain(ESC);
    expect(text).not.toContain('\u009b');
    expect(text).not.toContain('pwned');
    expect(text).not.toContain('5;31m');
    for (const ch of [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ]) {
      expect(text).not.toContain(ch);
    }
    expect(rest).not.toMatch(CONTROLS);
    expect(rest).toContain(`${'A'.repeat(31)}…`);
    expect(rest).not.toContain('A'.repeat(32));
    expect(rest).toContain('line break return');
  });

  it('fits the legend into the terminal height, saying how many rows it left out', async () => {
    const many = Array.from({ length: 20 }, (_, i) => pixel(i % 16, Math.floor(i / 16), `n${i}`));
    const { output, board } = await openTerminal(view(many), { width: 16, height: 16, rows: 20 });
    await board.show(blankFrame(16, 16));
    const lines = withoutOwnSequences(output.last()).split('\n');
    expect(lines.filter((l) => l.includes('■'))).toHaveLength(7);
    expect(lines).toContain('… 13 more rows (see the web board)');
  });

  it('restores the screen and cursor and resets colours on close, once, and not at all if never opened', async () => {
    const { output, board } = await openTerminal(view([]));
    await board.close();
    await board.close();
    expect(output.chunks).toHaveLength(2);
    expect(output.last().endsWith(`${ESC}[0m${ESC}[?25h${ESC}[?1049l`)).toBe(true);
    const idle = new FakeOutput();
    await createTerminalBoard({ output: idle, width: 2, height: 2 }).close();
    expect(idle.chunks).toEqual([]);
  });

  it('into a pipe, writes plain status and legend text only when the view changes', async () => {
    const output = new FakeOutput();
    let legend = view([pixel(0, 0, 'web', { state: 'pending' })]);
    const board = createTerminalBoard({
      output,
      width: 2,
      height: 2,
      now: () => NOW,
      plain: true,
    });
    await board.open();
    const frame = blankFrame(2, 2);
    for (let i = 0; i < 20; i++) await board.show(frame, legend); // a second of pulse frames, one view
    expect(output.chunks).toHaveLength(1);
    legend = view([pixel(0, 0, 'web', { state: 'running' })]);
    await board.show(frame, legend);
    await board.show(frame, legend);
    await board.close();
    expect(output.chunks).toHaveLength(2);
    expect(output.text()).not.toMatch(CONTROLS);
    expect(output.chunks[1]?.split('\n').slice(0, 3)).toEqual([
      'ec2-led · connected · synced',
      expect.stringMatching(/^ +pixel +instance +name +state +region +since$/),
      expect.stringMatching(/^ {2}0,0 +i-0000000000000000 +web +running +eu-west-1 +5m$/),
    ]);
  });

  it('formats time in state compactly', () => {
    expect(formatAge(NOW - 42_000, NOW)).toBe('42s');
    expect(formatAge(NOW - 5 * 60_000, NOW)).toBe('5m');
    expect(formatAge(NOW - 3 * 3_600_000, NOW)).toBe('3h');
    expect(formatAge(NOW - 3 * 86_400_000, NOW)).toBe('3d');
    expect(formatAge(NOW + 1000, NOW)).toBe('0s');
  });
});
