import { describe, expect, it } from 'vitest';
import { flashesAs, isUrgent, KIND_NAMES, specOf } from '../../../device/kinds/kinds.ts';
import {
  DEFAULT_COLORS,
  DEFAULT_PALETTE,
  PALETTE_KEYS,
  parseColor,
  parsePalette,
  scaleColor,
  toHex,
} from '../../../device/picture/palette.ts';
import { ALARM_STATES, type AlarmState } from '../../../shared/alarm-message.ts';
import { INSTANCE_STATES } from '../../../shared/instance-state.ts';

describe('palette', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_COLORS).toEqual({
      pending: '#00ff00',
      running: '#0000ff',
      stopping: '#ffff00',
      stopped: '#ff0000',
      'shutting-down': '#ff8000',
      terminated: '#404040',
      OK: '#008060',
      ALARM: '#ff0080',
      INSUFFICIENT_DATA: '#8000ff',
      up: '#004080',
      degraded: '#ff60a0',
      down: '#ff0040',
      'off-air': '#400080',
      deploying: '#00c0ff',
      deployed: '#40ff80',
      'deploy-failed': '#ff4000',
      'deploy-stopped': '#806000',
      disconnected: '#ff00ff',
      'not-synced': '#00ffff',
      'clock-unsynced': '#ffc000',
      updating: '#80ffc0',
      overflow: '#ffffff',
    });
    expect(DEFAULT_PALETTE.running).toEqual([0, 0, 255]);
  });

  it('gives indicators colours no state uses, so they are never taken for an instance', () => {
    const stateColors = new Set(INSTANCE_STATES.map((s) => DEFAULT_COLORS[s]));
    for (const key of ['disconnected', 'not-synced', 'clock-unsynced', 'updating', 'overflow'] as const) {
      expect(stateColors.has(DEFAULT_COLORS[key])).toBe(false);
    }
    expect(new Set(PALETTE_KEYS.map((k) => DEFAULT_COLORS[k])).size).toBe(PALETTE_KEYS.length);
  });

  it('gives alarm states hues no instance state or indicator uses; ALARM and a probe down flash', () => {
    const others = PALETTE_KEYS.filter((k) => !ALARM_STATES.includes(k as AlarmState)).map(
      (k) => DEFAULT_COLORS[k],
    );
    for (const state of ALARM_STATES) expect(others).not.toContain(DEFAULT_COLORS[state]);
    expect(KIND_NAMES.flatMap((kind) => specOf(kind).states.filter((s) => flashesAs(kind, s)))).toEqual([
      'ALARM',
      'down',
      'deploy-failed',
    ]);
    expect(isUrgent('probe', 'down')).toBe(true);
    expect(isUrgent('alarm', 'ALARM')).toBe(true);
    expect(isUrgent('alarm', 'OK')).toBe(false);
    expect(isUrgent('instance', 'stopped')).toBe(false);
    expect(parsePalette({ ALARM: '#ff0000' })).toEqual({
      ok: true,
      palette: { ...DEFAULT_PALETTE, ALARM: [255, 0, 0] },
    });
  });

  it('overrides any colour, in either case, keeping the other defaults', () => {
    const parsed = parsePalette({ running: '#2962FF', terminated: '#100000' });
    expect(parsed).toEqual({
      ok: true,
      palette: { ...DEFAULT_PALETTE, running: [0x29, 0x62, 0xff], terminated: [0x10, 0, 0] },
    });
  });

  it('returns the defaults for no overrides', () => {
    expect(parsePalette()).toEqual({ ok: true, palette: DEFAULT_PALETTE });
  });

  it('reports every bad colour naming the key, the value and the fix', () => {
    const parsed = parsePalette({ running: 'blue', stopped: '#f00', runing: '#0000ff', pending: 7 });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        'colour for running is "blue"; write "#rrggbb" with six hex digits, e.g. "#0000ff"',
        'colour for stopped is "#f00"; write "#rrggbb" with six hex digits, e.g. "#ff0000"',
        'unknown colour key "runing"; use one of pending, running, stopping, stopped, shutting-down, terminated, OK, ALARM, INSUFFICIENT_DATA, up, degraded, down, off-air, deploying, deployed, deploy-failed, deploy-stopped, disconnected, not-synced, clock-unsynced, updating, overflow',
        'colour for pending is 7; write "#rrggbb" with six hex digits, e.g. "#00ff00"',
      ],
    });
  });

  it('parses and prints #rrggbb', () => {
    expect(parseColor('#0a0B0c')).toEqual([10, 11, 12]);
    expect(parseColor('0a0b0c')).toBeUndefined();
    expect(parseColor('#0a0b0c ')).toBeUndefined();
    expect(toHex([10, 11, 255])).toBe('#0a0bff');
  });

  it('scales a colour by a brightness factor', () => {
    expect(scaleColor([255, 128, 0], 0.5)).toEqual([128, 64, 0]);
    expect(scaleColor([255, 128, 0], 1)).toEqual([255, 128, 0]);
    expect(scaleColor([255, 128, 0], -1)).toEqual([0, 0, 0]);
  });
});
