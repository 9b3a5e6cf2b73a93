/** An update job on the board (the status pixel) and in `ec2led status` and the API (the legend). */
import { describe, expect, it } from 'vitest';
import { drawStatus, drawUpdate } from '../../../device/outputs/display/boards/terminal-legend.ts';
import { BLINK_PERIOD_MS } from '../../../device/picture/animate.ts';
import { type LegendUpdate, legendToWire } from '../../../device/picture/legend.ts';
import { DEFAULT_PALETTE } from '../../../device/picture/palette.ts';
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
const installing: LegendUpdate = { version: '1.0.0', phase: 'installing', target: '1.1.0' };
const failed: LegendUpdate = {
  version: '1.0.0',
  phase: 'idle',
  last: {
    jobId: 'up-1',
    status: 'FAILED',
    version: '1.1.0',
    reason: 'the agent was not ready\u001b[2J within 180 s; reinstalled 1.0.0',
    atMs: 0,
  },
};

describe('update indicator', () => {
  it('blinks the status pixel mint while an update downloads or installs', () => {
    const status = { connected: true, synced: true, update: installing };
    expect(statusPixel(status, ON).rgb).toEqual(DEFAULT_PALETTE.updating);
    expect(statusPixel(status, OFF).rgb).toEqual([0, 0, 0]);
    expect(statusPixel(status, ON).picture.animating).toBe(true);
  });

  it('gives way to the connection indicators, and shows nothing while idle', () => {
    expect(statusPixel({ connected: false, synced: false, update: installing }, ON).rgb).toEqual(
      DEFAULT_PALETTE.disconnected,
    );
    const idle = statusPixel({ connected: true, synced: true, update: failed }, ON);
    expect(idle.rgb).toEqual([0, 0, 0]);
    expect(idle.picture.animating).toBe(false);
  });

  it('puts the version and the last outcome in the legend, the API and the status line', () => {
    const { picture } = statusPixel({ connected: true, synced: true, update: failed }, ON);
    expect(legendToWire(picture.legend).update).toEqual(failed);
    // ec2led status: a line of its own (escape codes removed); the board's status line only while a job is at work.
    const line = drawUpdate(picture.legend.update as LegendUpdate);
    expect(line).toMatch(
      /^version 1\.0\.0, last update 1\.1\.0 FAILED: the agent was not ready.* within 180 s; reinstalled 1\.0\.0$/,
    );
    expect(line).not.toContain('\u001b');
    expect(drawStatus(picture.legend)).not.toContain('version');
    const busy = statusPixel({ connected: true, synced: true, update: installing }, ON).picture.legend;
    expect(drawUpdate(busy.update as LegendUpdate)).toBe('version 1.0.0, UPDATING to 1.1.0 (installing)');
    expect(drawStatus(busy)).toContain(' · UPDATING to 1.1.0 (installing)');
  });
});
