/** An unsynchronized clock on the board (the status pixel) and in `ec2led status` (the legend). */
import { describe, expect, it } from 'vitest';
import { drawStatus } from '../../../device/outputs/display/boards/terminal-legend.ts';
import { BLINK_PERIOD_MS } from '../../../device/picture/animate.ts';
import { legendToWire } from '../../../device/picture/legend.ts';
import { DEFAULT_PALETTE, parsePalette } from '../../../device/picture/palette.ts';
import { composePicture } from '../../../device/picture/picture.ts';
import type { FeedStatus } from '../../../device/picture/render.ts';

function statusPixel(status: FeedStatus, nowMs: number) {
  const picture = composePicture({
    fleet: new Map(),
    slots: new Map(),
    listed: true,
    settings: { width: 2, height: 2 },
    status,
    nowMs,
  });
  const i = 3 * 3; // bottom-right of 2x2
  return { rgb: [...picture.frame.rgb.subarray(i, i + 3)], picture };
}

const ON = 0;
const OFF = BLINK_PERIOD_MS / 2;

describe('clock indicator', () => {
  it('blinks the status pixel amber while the clock is not synchronized and all else is fine', () => {
    const status = { connected: true, synced: true, clockSynced: false };
    expect(statusPixel(status, ON).rgb).toEqual(DEFAULT_PALETTE['clock-unsynced']);
    expect(statusPixel(status, OFF).rgb).toEqual([0, 0, 0]);
    expect(statusPixel(status, ON).picture.animating).toBe(true);
    expect(DEFAULT_PALETTE['clock-unsynced']).toEqual([0xff, 0xc0, 0x00]);
  });

  it('alternates with the connection indicator when both apply', () => {
    const status = { connected: false, synced: false, clockSynced: false };
    expect(statusPixel(status, ON).rgb).toEqual(DEFAULT_PALETTE.disconnected);
    expect(statusPixel(status, OFF).rgb).toEqual(DEFAULT_PALETTE['clock-unsynced']);
  });

  it('shows nothing for a synchronized or unknown clock', () => {
    for (const clockSynced of [true, undefined]) {
      const { rgb, picture } = statusPixel({ connected: true, synced: true, clockSynced }, ON);
      expect(rgb).toEqual([0, 0, 0]);
      expect(picture.animating).toBe(false);
      expect(picture.legend.clockSynced).toBeUndefined();
    }
  });

  it('is in the legend, the API and the status line, and a new legend when the clock changes', () => {
    const off = statusPixel({ connected: true, synced: true, clockSynced: false }, ON).picture;
    expect(off.legend.clockSynced).toBe(false);
    expect(legendToWire(off.legend).clockSynced).toBe(false);
    expect(drawStatus(off.legend)).toContain('CLOCK NOT SYNCHRONIZED');
    const on = composePicture({
      fleet: off.fleet,
      slots: new Map(),
      listed: true,
      settings: { width: 2, height: 2 },
      status: { connected: true, synced: true, clockSynced: true },
      nowMs: ON,
      previous: off,
    });
    expect(on.legend).not.toBe(off.legend);
    expect(drawStatus(on.legend)).not.toContain('CLOCK');
  });

  it('takes its colour from the config like the other indicators', () => {
    const parsed = parsePalette({ 'clock-unsynced': '#ff8080' });
    expect(parsed.ok && parsed.palette['clock-unsynced']).toEqual([0xff, 0x80, 0x80]);
  });
});
