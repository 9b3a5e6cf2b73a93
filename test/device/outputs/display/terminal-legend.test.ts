/** The terminal legend fitted to an 80-column terminal: golden text, swatches off. */
import { describe, expect, it } from 'vitest';
import {
  ATTENTION_KEY,
  drawAttention,
  drawLegend,
  idText,
  shortenId,
} from '../../../../device/outputs/display/boards/terminal-legend.ts';
import { wantsColor } from '../../../../device/outputs/display/boards/terminal-picture.ts';
import type { Legend, LegendEntry, LegendPixel } from '../../../../device/picture/legend.ts';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const ACCOUNT = '123456789012';

function instance(i: number, name: string, state: LegendEntry['state'], region = 'eu-west-1'): LegendEntry {
  const id = `i-0${(0x9558b42da6f724e9n + BigInt(i)).toString(16).padStart(16, '0')}`;
  return { kind: 'instance', id, name, state, region, account: ACCOUNT, sinceMs: NOW - (i + 1) * 60_000 };
}

function alarm(name: string, state: LegendEntry['state'], region = 'us-east-1'): LegendEntry {
  const id = `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;
  return { kind: 'alarm', id, name, state, region, account: ACCOUNT, sinceMs: NOW - 3 * 3_600_000 };
}

function board(entries: readonly LegendEntry[], extra: Partial<Legend> = {}): Legend {
  const pixels: LegendPixel[] = entries.map((entry, i) => ({
    x: i % 8,
    y: Math.floor(i / 8),
    color: '#0000ff',
    entry,
  }));
  return { width: 8, height: 8, connected: true, synced: true, overflow: 0, pixels, ...extra };
}

const APIS = [1, 2, 3, 4, 5, 6].map((n) => instance(n, `api-west-${n}`, 'running'));

describe('terminal legend at 80 columns', () => {
  it('shows instance names and ids in full on an instance-only board', () => {
    const lines = drawLegend(board(APIS), NOW, 80, Number.POSITIVE_INFINITY, false);
    expect(lines).toEqual([
      '  pixel instance            name       state         region    since',
      '  0,0   i-09558b42da6f724ea api-west-1 running       eu-west-1 2m',
      '  1,0   i-09558b42da6f724eb api-west-2 running       eu-west-1 3m',
      '  2,0   i-09558b42da6f724ec api-west-3 running       eu-west-1 4m',
      '  3,0   i-09558b42da6f724ed api-west-4 running       eu-west-1 5m',
      '  4,0   i-09558b42da6f724ee api-west-5 running       eu-west-1 6m',
      '  5,0   i-09558b42da6f724ef api-west-6 running       eu-west-1 7m',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('shows alarms by name with INSUFFICIENT_DATA whole, and gives names priority over the kind and the id', () => {
    const entries = [
      ...APIS.slice(0, 2),
      instance(7, 'dev-alice-1', 'shutting-down', 'us-east-1'),
      alarm('check-www-example-com', 'OK'),
      alarm('db-cpu-high', 'INSUFFICIENT_DATA', 'eu-west-1'),
      alarm('web-5xx', 'ALARM'),
    ];
    const lines = drawLegend(board(entries), NOW, 80, Number.POSITIVE_INFINITY, false);
    expect(lines).toEqual([
      '  pixel id              name                  state             region    since',
      '  0,0   i-09558…6f724ea api-west-1            running           eu-west-1 2m',
      '  1,0   i-09558…6f724eb api-west-2            running           eu-west-1 3m',
      '  2,0   i-09558…6f724f0 dev-alice-1           shutting-down     us-east-1 8m',
      '  3,0                   check-www-example-com OK                us-east-1 3h',
      '  4,0                   db-cpu-high           INSUFFICIENT_DATA eu-west-1 3h',
      '  5,0                   web-5xx               ALARM             us-east-1 3h',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('keeps the kind column and whole ids when the terminal is wide enough', () => {
    const entries = [APIS[0] as LegendEntry, alarm('web-5xx', 'ALARM')];
    const [header, ...rows] = drawLegend(board(entries), NOW, 120, Number.POSITIVE_INFINITY, false);
    expect(header).toBe('  pixel kind     id                  name       state             region    since');
    expect(rows).toEqual([
      '  0,0   instance i-09558b42da6f724ea api-west-1 running           eu-west-1 2m',
      '  1,0   alarm                        web-5xx    ALARM             us-east-1 3h',
    ]);
  });

  it('with two accounts, still fits 80 columns with the names whole', () => {
    const labelled = (entry: LegendEntry, accountLabel: string) => ({ ...entry, accountLabel });
    const entries = [
      labelled(APIS[0] as LegendEntry, 'prod'),
      labelled(alarm('db-cpu-high', 'INSUFFICIENT_DATA'), 'staging'),
    ];
    const accounts = [
      { id: ACCOUNT, label: 'prod' },
      { id: '210987654321', label: 'staging' },
    ];
    const lines = drawLegend(board(entries, { accounts }), NOW, 80, Number.POSITIVE_INFINITY, false);
    expect(lines).toEqual([
      '  pixel id              name        state             region    account since',
      '  0,0   i-09558…6f724ea api-west-1  running           eu-west-1 prod    2m',
      '  1,0                   db-cpu-high INSUFFICIENT_DATA us-east-1 staging 3h',
    ]);
  });

  it('cuts names only when nothing else can give way', () => {
    const long = instance(1, 'a-very-long-instance-name-that-goes-on', 'running');
    const lines = drawLegend(board([long]), NOW, 50, Number.POSITIVE_INFINITY, false);
    expect(lines).toEqual([
      '  pixel name         state         region    since',
      '  0,0   a-very-long… running       eu-west-1 2m',
    ]);
  });

  it('blanks an id that only repeats the name, and shortens an id in the middle', () => {
    expect(idText({ id: 'arn:aws:cloudwatch:us-east-1:1:alarm:web-5xx', name: 'web-5xx' })).toBe('');
    expect(idText({ id: 'probe:www', name: 'www' })).toBe('');
    expect(idText({ id: 'i-0123', name: '' })).toBe('i-0123');
    expect(shortenId('i-09558b42da6f724e9', 14)).toBe('i-09558…f724e9');
    expect(shortenId('i-09558b42da6f724e9', 15)).toBe('i-09558…6f724e9');
    expect(shortenId('i-0123', 14)).toBe('i-0123');
  });
});

describe('wantsColor', () => {
  it('gives colour to a terminal only, unless NO_COLOR or FORCE_COLOR says otherwise', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(wantsColor({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('acknowledged and snoozed in the terminal legend', () => {
  it('marks the state, explains the marks under the rows, and lists who, when and until when', () => {
    const acked: LegendEntry = {
      ...alarm('cpu-high', 'ALARM'),
      attention: { acknowledged: { by: 'button', atMs: NOW - 5 * 60_000 } },
    };
    const snoozed: LegendEntry = {
      ...alarm('disk-full', 'ALARM'),
      attention: { snoozed: { by: 'cli', atMs: NOW - 60_000, untilMs: NOW + 3_600_000, kind: true } },
    };
    const view = board([instance(1, 'web', 'running'), acked, snoozed], {
      highlight: { id: acked.id, name: 'cpu-high', untilMs: NOW + 5_000 },
    });
    const lines = drawLegend(view, NOW, 100, Number.POSITIVE_INFINITY, false);
    expect(lines.find((line) => line.includes('cpu-high'))).toMatch(/ ALARM ack /);
    expect(lines.find((line) => line.includes('disk-full'))).toMatch(/ ALARM snoozed /);
    expect(lines.at(-1)).toBe(ATTENTION_KEY);
    expect(drawAttention(view, NOW, 'UTC')).toEqual([
      `blinking: cpu-high (${acked.id})`,
      `acknowledged  cpu-high (${acked.id}) by button 5m ago`,
      `snoozed  disk-full (${snoozed.id}) with every alarm by cli 1m ago, until Mon 13:00`,
    ]);
    // Nothing to say: no key line, no attention lines.
    expect(drawLegend(board([instance(1, 'web', 'running')]), NOW, 100).at(-1)).not.toBe(ATTENTION_KEY);
    expect(drawAttention(board([]), NOW)).toEqual([]);
  });
});

describe('terminal legend: instance notices', () => {
  const spot = {
    ...instance(1, 'api-west-1', 'running'),
    notice: {
      code: 'spot-interruption',
      action: 'terminate',
      startMs: NOW + 120_000,
      endMs: NOW + 180_000,
      urgent: true as const,
    },
  };

  it('lists each notice under the table, urgent ones marked, with its times to the minute', () => {
    const lines = drawLegend(
      board([spot, instance(2, 'api-west-2', 'running')]),
      NOW,
      120,
      Number.POSITIVE_INFINITY,
      false,
    );
    expect(lines.slice(-1)).toEqual([
      '! 0,0 api-west-1 spot-interruption (terminate) URGENT due 2026-12-07 12:02Z, until 2026-12-07 12:03Z',
    ]);
    expect(lines).toHaveLength(4);
  });

  it('keeps the notice lines when the table is cut short', () => {
    const lines = drawLegend(board([spot, ...APIS.slice(1)]), NOW, 80, 5, false);
    expect(lines).toHaveLength(5);
    expect(lines.at(-2)).toMatch(/^… 4 more rows/);
    expect(lines.at(-1)).toMatch(/^! 0,0 api-west-1 spot-interruption/);
  });
});
