import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardSize, replayMain } from '../../../../device/commands/replay/cli.ts';
import { parseReplayFile, replay } from '../../../../device/commands/replay/replay.ts';
import { bg, fg, UNLIT } from '../../../../device/outputs/display/boards/terminal-picture.ts';
import { legendToWire } from '../../../../device/picture/legend.ts';
import { DEFAULT_PALETTE } from '../../../../device/picture/palette.ts';
import { INSTANCE_STATES } from '../../../../shared/instance-state.ts';
import { fixture } from '../../../fixtures/load.ts';

const ESC = '\u001b';
const line = (name: string, dir = 'eventbridge') => JSON.stringify(fixture(dir, name));

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

describe('parseReplayFile', () => {
  it('reads a JSON array as elements in order', () => {
    const parsed = parseReplayFile(`[${line('pending')},${line('running')}]`);
    expect(parsed.inputs.map((input) => input.where)).toEqual(['element 1', 'element 2']);
    expect(parsed.problems).toEqual([]);
  });

  it('reads one pretty-printed event as a single element', () => {
    const parsed = parseReplayFile(JSON.stringify(fixture('eventbridge', 'running'), null, 2));
    expect(parsed.inputs).toHaveLength(1);
  });

  it('names line 1 when a one-line array is broken', () => {
    expect(parseReplayFile('[{"a":1},').problems).toEqual([
      { where: 'line 1', reason: expect.stringMatching(/^not JSON/) },
    ]);
  });

  it('reads JSON lines, skipping blank lines and naming each bad line', () => {
    const parsed = parseReplayFile(`${line('pending')}\n\n{oops\n${line('running')}\n`);
    expect(parsed.inputs.map((input) => input.where)).toEqual(['line 1', 'line 4']);
    expect(parsed.problems).toEqual([{ where: 'line 3', reason: expect.stringMatching(/^not JSON/) }]);
  });
});

describe('replay', () => {
  it('applies events in file order on their own clock and keeps the latest state', () => {
    const inputs = ['pending', 'running', 'stopping', 'stopped'].map((name, i) => ({
      where: `line ${i + 1}`,
      event: fixture('eventbridge', name),
    }));
    const result = replay(inputs, { width: 4, height: 2 });
    expect(result.applied).toBe(4);
    expect(result.nowMs).toBe(Date.parse('2021-11-11T22:03:27Z'));
    const lit = result.view.pixels.filter((pixel) => pixel.entry !== null);
    expect(lit).toEqual([
      {
        x: 0,
        y: 0,
        color: expect.stringMatching(/^#[0-9a-f]{6}$/),
        entry: {
          kind: 'instance',
          id: 'i-1234567890abcdef0',
          name: '',
          state: 'stopped',
          region: 'us-east-1',
          account: '123456789012',
          sinceMs: Date.parse('2021-11-11T22:03:27Z'),
        },
      },
    ]);
  });

  it('ignores an older event that arrives later in the file', () => {
    const inputs = ['stopped', 'running'].map((name) => ({
      where: name,
      event: fixture('eventbridge', name),
    }));
    const lit = replay(inputs, { width: 2, height: 2 }).view.pixels.filter((p) => p.entry !== null);
    expect(lit.map((p) => p.entry?.state)).toEqual(['stopped']);
  });

  it('reports malformed events with where they were, and applies the rest', () => {
    const result = replay(
      [
        { where: 'line 1', event: fixture('eventbridge/malformed', 'unknown-state') },
        { where: 'line 2', event: fixture('eventbridge', 'forwarded-eu-west-1') },
      ],
      { width: 2, height: 2 },
    );
    expect(result.problems).toEqual([
      { where: 'line 1', reason: expect.stringMatching(/^detail\.state "rebooting" is not an EC2 state/) },
    ]);
    expect(result.applied).toBe(1);
  });

  it('counts events that are neither state changes nor notices as ignored, not as problems', () => {
    const result = replay(
      [
        { where: 'line 1', event: fixture('eventbridge/other', 'spot-interruption-warning') },
        { where: 'line 2', event: fixture('eventbridge/malformed', 'wrong-source') },
        { where: 'line 3', event: fixture('eventbridge', 'running') },
      ],
      { width: 2, height: 2 },
    );
    expect({ applied: result.applied, ignored: result.ignored, problems: result.problems }).toEqual({
      applied: 2,
      ignored: 1,
      problems: [],
    });
  });

  it.each([
    ['spot-interruption', 'running', { code: 'spot-interruption', action: 'terminate', urgent: true }],
    ['rebalance-recommendation', 'running', { code: 'rebalance' }],
    ['health-scheduled-reboot', 'short-instance-id', { code: 'instance-reboot' }],
  ])("shows AWS's documented %s sample as a notice on its instance's pixel", (name, state, notice) => {
    const result = replay(
      [
        { where: 'line 1', event: fixture('notices', name) },
        { where: 'line 2', event: fixture('eventbridge', state) },
      ],
      { width: 2, height: 2 },
    );
    expect(result.problems).toEqual([]);
    expect(result.applied).toBe(2);
    expect(legendToWire(result.view).pixels[0]?.entry?.notice).toMatchObject(notice);
  });

  it('shows no notice that ended before the latest event, nor one whose instance stopped after it', () => {
    const spot = fixture('notices', 'spot-interruption') as Record<string, unknown>;
    const later = {
      ...(fixture('eventbridge', 'running') as Record<string, unknown>),
      time: '2026-12-07T14:05:00Z',
    };
    const ended = replay(
      [
        { where: 'line 1', event: spot },
        { where: 'line 2', event: later },
      ],
      { width: 2, height: 2 },
    );
    expect(ended.view.pixels[0]?.entry).not.toHaveProperty('notice');
    const stopped = {
      ...(fixture('eventbridge', 'stopped') as Record<string, unknown>),
      time: '2026-12-07T14:01:00Z',
    };
    const result = replay(
      [
        { where: 'line 1', event: spot },
        { where: 'line 2', event: stopped },
      ],
      { width: 2, height: 2 },
    );
    expect(result.view.pixels[0]?.entry).toMatchObject({ state: 'stopped' });
    expect(result.view.pixels[0]?.entry).not.toHaveProperty('notice');
  });

  it('shows CloudWatch Alarm State Change events as alarm pixels, from the bottom row, ordered by their state time', () => {
    const alarm = fixture('cloudwatch', 'single-metric-alarm') as Record<string, unknown>;
    const detail = alarm.detail as Record<string, Record<string, unknown>>;
    // The same alarm back to OK a minute later, listed first in the file: the state time decides.
    const ok = {
      ...alarm,
      id: 'c4c1c1c9-6542-e61b-6ef0-000000000001',
      detail: {
        ...detail,
        state: { ...detail.state, value: 'OK', timestamp: '2019-10-02T17:05:40.000+0000' },
      },
    };
    const result = replay(
      [
        { where: 'line 1', event: ok },
        { where: 'line 2', event: alarm },
        { where: 'line 3', event: fixture('cloudwatch', 'composite-alarm') },
        { where: 'line 4', event: fixture('eventbridge', 'running') },
      ],
      { width: 2, height: 2 },
    );
    expect(result.problems).toEqual([]);
    expect(result.applied).toBe(4);
    const lit = result.view.pixels
      .filter((p) => p.entry !== null)
      .map((p) => [p.x, p.y, p.entry?.kind, p.entry?.name, p.entry?.state, p.color]);
    expect(lit).toEqual([
      [0, 0, 'instance', '', 'running', '#0000ff'],
      [0, 1, 'alarm', 'ServerCpuTooHigh', 'OK', '#008060'],
      [1, 1, 'alarm', 'ServiceAggregatedAlarm', 'ALARM', '#ff0080'],
    ]);
  });

  it('names the problem of a malformed alarm event', () => {
    const alarm = fixture('cloudwatch', 'single-metric-alarm') as Record<string, unknown>;
    const result = replay([{ where: 'line 1', event: { ...alarm, resources: [] } }], { width: 2, height: 2 });
    expect(result.problems).toEqual([{ where: 'line 1', reason: 'resources holds no CloudWatch alarm ARN' }]);
  });

  it('applies events in event-time order, whatever the order of the lines', () => {
    const inputs = ['stopped', 'running', 'stopping', 'pending'].map((name, i) => ({
      where: `line ${i + 1}`,
      event: fixture('eventbridge', name),
    }));
    const lit = replay(inputs, { width: 2, height: 2 }).view.pixels.filter((p) => p.entry !== null);
    expect(lit.map((p) => p.entry?.state)).toEqual(['stopped']);
  });

  it('draws the same final board for any shuffle of a stream (property)', () => {
    // A stream of many instances over few seconds: equal event times, equal instances, duplicates.
    const event = fc
      .record({
        n: fc.integer({ min: 1, max: 12 }),
        state: fc.constantFrom(...INSTANCE_STATES),
        second: fc.integer({ min: 0, max: 5 }),
        uuid: fc.uuid(),
      })
      .map(({ n, state, second, uuid }) => ({
        version: '0',
        id: uuid,
        'detail-type': 'EC2 Instance State-change Notification',
        source: 'aws.ec2',
        account: '123456789012',
        time: `2026-11-29T03:00:0${second}Z`,
        region: 'eu-west-1',
        resources: [],
        detail: { 'instance-id': `i-${n.toString(16).padStart(17, '0')}`, state },
      }));
    const stream = fc
      .array(event, { minLength: 1, maxLength: 40 })
      .chain((events) =>
        fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
      );
    fc.assert(
      fc.property(stream, ([events, shuffled]) => {
        const board = (list: readonly unknown[]) =>
          replay(
            list.map((e, i) => ({ where: `line ${i + 1}`, event: e })),
            { width: 3, height: 3 },
          ).view;
        expect(board(shuffled)).toEqual(board(events));
      }),
      { numRuns: 200 },
    );
  });

  it('counts instances beyond the board as overflow', () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      where: `line ${i + 1}`,
      event: {
        ...(fixture('eventbridge', 'running') as object),
        id: `00000000-0000-4000-8000-00000000000${i}`,
        resources: [],
        detail: { 'instance-id': `i-0000000${i}`, state: 'running' },
      },
    }));
    expect(replay(events, { width: 2, height: 2 }).view.overflow).toBeGreaterThan(0);
  });
});

describe('ec2led replay', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec2led-replay-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the legend and exits 0 for a valid file', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, `[${line('pending')},${line('forwarded-eu-west-1')}]`);
    const { out, io: streams } = io();
    expect(await replayMain([file, '--board', '8x4'], streams)).toBe(0);
    expect(out.stdout).toMatch(/replay: 8x4 board as of 2021-11-11T21:31:02.000Z: 2 shown, 0 overflow/);
    expect(out.stdout).toMatch(/i-0a1b2c3d4e5f60718 .* running +eu-west-1/);
    expect(out.stdout).not.toContain(String.fromCharCode(27));
  });

  it('with --config, draws as that agent would: its board, pins and colours', async () => {
    const file = join(dir, 'pinned.json');
    await writeFile(file, `[${line('pending')}]`);
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        mqtt: { endpoint: '127.0.0.1', port: 1, clientId: 'replay', tls: false },
        aws: { credentials: 'default', accounts: ['123456789012'], regions: ['us-east-1'] },
        stateDir: join(dir, 'state'),
        display: { board: 'unicornhatmini' },
        pins: { 'i-1234567890abcdef0': '16,6' },
        colors: { pending: '#123456' },
      }),
    );
    const { out, io: streams } = io();
    expect(await replayMain([file, '--config', config, '--json'], streams)).toBe(0);
    const board = JSON.parse(out.stdout);
    expect([board.width, board.height]).toEqual([17, 7]);
    const lit = board.pixels.filter((p: { entry: unknown }) => p.entry !== null);
    expect(lit).toEqual([
      expect.objectContaining({
        x: 16,
        y: 6,
        color: '#123456',
        entry: expect.objectContaining({ id: 'i-1234567890abcdef0' }),
      }),
    ]);
    const sized = io();
    expect(await replayMain([file, '--config', config, '--board', '4x2', '--json'], sized.io)).toBe(0);
    expect(JSON.parse(sized.out.stdout)).toMatchObject({ width: 4, height: 2 });
  });

  it('says what is wrong with a --config, and exits 2', async () => {
    const { out, io: streams } = io();
    expect(await replayMain([join(dir, 'none.json'), '--config', join(dir, 'missing.json')], streams)).toBe(
      2,
    );
    expect(out.stderr).toMatch(
      /^ec2led replay: invalid configuration:[\s\S]*missing\.json does not exist: check the path/,
    );
  });

  it('reports each bad line by number, still prints the board, and exits 1', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(
      file,
      [line('pending'), '{not json', line('unknown-state', 'eventbridge/malformed'), ''].join('\n'),
    );
    const { out, io: streams } = io();
    expect(await replayMain([file, '--json'], streams)).toBe(1);
    expect(out.stderr).toMatch(/bad.jsonl: line 2: skipped: not JSON/);
    expect(out.stderr).toMatch(/bad.jsonl: line 3: skipped: detail\.state "rebooting" is not an EC2 state/);
    const board = JSON.parse(out.stdout);
    expect(Object.keys(board)).toEqual(['width', 'height', 'connected', 'synced', 'overflow', 'pixels']);
    expect(board.width * board.height).toBe(board.pixels.length);
  });

  it('draws the picture in colour above the legend on a terminal', async () => {
    const file = join(dir, 'tty.json');
    await writeFile(file, `[${line('pending')},${line('running')}]`);
    const blue = DEFAULT_PALETTE.running;
    const { out, io: streams } = io();
    expect(await replayMain([file, '--board', '4x2'], streams, { isTty: true, columns: 100 })).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/^replay: 4x2 board/);
    // One text row per two pixel rows: the running instance's colour at (0,0) over an unlit (0,1).
    expect(lines[1]?.startsWith(`${fg(blue)}${bg(UNLIT)}▀`)).toBe(true);
    expect(lines[1]?.split('▀')).toHaveLength(5);
    expect(lines[2]).toBe('');
    expect(lines[3]).toMatch(/pixel +instance/);
    expect(out.stdout.indexOf('▀')).toBeLessThan(out.stdout.indexOf('i-1234567890abcdef0'));
  });

  it('prints the same header and legend into a pipe as on a terminal of unknown or default width', async () => {
    const file = join(dir, 'same.json');
    await writeFile(file, `[${line('pending')},${line('running')}]`);
    const run = async (output?: { isTty: boolean; columns?: number }) => {
      const { out, io: streams } = io();
      expect(await replayMain([file, '--board', '4x2'], streams, output)).toBe(0);
      const lines = out.stdout.split('\n');
      // A terminal also gets the picture (2 lines) and colour swatches: drop both.
      const legend = output?.isTty ? [lines[0], ...lines.slice(3)] : lines;
      const swatch = new RegExp(`^${ESC}\\[[\\d;]*m■${ESC}\\[0m`);
      return legend.map((text) => text?.replace(swatch, ' '));
    };
    const pipe = await run();
    expect(pipe[1]).toMatch(/^ {2}pixel instance +name +state +region +since$/);
    expect(await run({ isTty: true, columns: 100 })).toEqual(pipe);
    expect(await run({ isTty: true, columns: 0 })).toEqual(pipe);
    expect(await run({ isTty: true })).toEqual(pipe);
  });

  it('applies a Spot interruption warning and shows it in --json on its instance', async () => {
    const file = join(dir, 'spot.jsonl');
    await writeFile(
      file,
      [line('running'), line('spot-interruption-warning', 'eventbridge/other')].join('\n'),
    );
    const { out, io: streams } = io();
    expect(await replayMain([file, '--json'], streams)).toBe(0);
    expect(out.stderr).toBe('ec2led replay: 2 events applied, 0 skipped\n');
    const board = JSON.parse(out.stdout) as { pixels: { entry: { notice?: unknown } | null }[] };
    expect(board.pixels[0]?.entry?.notice).toEqual({
      code: 'spot-interruption',
      action: 'terminate',
      startMs: Date.parse('2021-11-11T21:33:00Z'),
      endMs: Date.parse('2021-11-11T21:34:00Z'),
      urgent: true,
    });
  });

  it('takes a board kind for the size', () => {
    expect(boardSize('unicornhatmini')).toEqual({ width: 17, height: 7 });
    expect(boardSize('12x3')).toEqual({ width: 12, height: 3 });
  });

  it.each([
    [['--board', 'huge'], /neither WxH nor a board kind/],
    [['--board', '100x100'], /1 to 4096 pixels/],
    [[], /exactly one FILE/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const { out, io: streams } = io();
    expect(await replayMain(args.length > 0 ? ['file.json', ...args] : args, streams)).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('names a missing file', async () => {
    const { out, io: streams } = io();
    expect(await replayMain([join(dir, 'missing.json')], streams)).toBe(2);
    expect(out.stderr).toMatch(/cannot read .*missing.json: ENOENT/);
  });
});
