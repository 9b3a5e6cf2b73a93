import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../device/fleet/notices.ts';
import { createLedShim } from '../../../device/outputs/display/boards/ledshim.ts';
import { PULSE_FRAME_MS } from '../../../device/picture/animate.ts';
import type { ItemAttention } from '../../../device/picture/attention.ts';
import {
  NOTICE_PERIOD_MS,
  noticeColor,
  URGENT_NOTICE_PERIOD_MS,
} from '../../../device/picture/notice-look.ts';
import { colorOf, DEFAULT_PALETTE, toHex } from '../../../device/picture/palette.ts';
import { renderBoard } from '../../../device/picture/render.ts';
import { assignSlots } from '../../../device/picture/slots.ts';
import { INSTANCE_STATES } from '../../../shared/instance-state.ts';
import { FakeI2cBus } from '../../fakes/display/fake-i2c-bus.ts';
import { instance } from '../../kit/builders.ts';
import { pwmWith, showFrame } from '../outputs/display/is31.ts';

const WEB = instance(1, 'running', 'web');
const notice = (code: Notice['code'], over: Partial<Notice> = {}): Notice => ({
  id: WEB.id,
  code,
  action: '',
  startMs: 100_000,
  endMs: 200_000,
  timeMs: 0,
  region: WEB.region,
  account: WEB.account,
  source: 'event',
  ...over,
});

const SNOOZED: ItemAttention = { snoozed: { by: 'web', atMs: 0, untilMs: 3_600_000 } };

function draw(width: number, height: number, nowMs: number, shown?: Notice, mark?: ItemAttention) {
  const fleet = new Map([[WEB.id, WEB]]);
  return renderBoard({
    ...(mark === undefined ? {} : { attentionOf: () => mark }),
    fleet,
    layout: assignSlots({ fleet, previous: new Map(), width, height, nowMs: 0, listed: true }),
    palette: DEFAULT_PALETTE,
    status: { connected: true, synced: true },
    nowMs,
    ...(shown === undefined ? {} : { notices: new Map([[WEB.id, shown]]) }),
  });
}

describe('the notice look', () => {
  it('breathes from the state colour to amber and back, slowly, and keeps breathing', () => {
    const calm = notice('system-reboot');
    expect([...draw(4, 3, 0, calm).frame.rgb.slice(0, 3)]).toEqual([0, 0, 255]);
    expect([...draw(4, 3, NOTICE_PERIOD_MS / 2, calm).frame.rgb.slice(0, 3)]).toEqual([204, 134, 51]);
    expect([...draw(4, 3, NOTICE_PERIOD_MS, calm).frame.rgb.slice(0, 3)]).toEqual([0, 0, 255]);
    expect(draw(4, 3, 0, calm)).toMatchObject({ animating: true, nextFrameInMs: PULSE_FRAME_MS });
  });

  it('breathes three times as fast for an urgent notice (a Spot interruption)', () => {
    const spot = notice('spot-interruption', { action: 'terminate' });
    expect([...draw(4, 3, URGENT_NOTICE_PERIOD_MS / 2, spot).frame.rgb.slice(0, 3)]).toEqual([204, 134, 51]);
    expect([...draw(4, 3, URGENT_NOTICE_PERIOD_MS, spot).frame.rgb.slice(0, 3)]).toEqual([0, 0, 255]);
  });

  it('breathes at the calm rate when its item is snoozed (attention.ts), and still says urgent in the legend', () => {
    const spot = notice('spot-interruption', { action: 'terminate' });
    expect([...draw(4, 3, URGENT_NOTICE_PERIOD_MS / 2, spot).frame.rgb.slice(0, 3)]).toEqual([204, 134, 51]);
    const quiet = draw(4, 3, URGENT_NOTICE_PERIOD_MS / 2, spot, SNOOZED);
    const calm = draw(4, 3, URGENT_NOTICE_PERIOD_MS / 2, notice('system-reboot'));
    expect([...quiet.frame.rgb.slice(0, 3)]).toEqual([...calm.frame.rgb.slice(0, 3)]);
    expect(quiet.view.pixels[0]?.entry).toMatchObject({
      notice: { urgent: true },
      attention: { snoozed: { by: 'web' } },
    });
  });

  it('breathes at the calm rate when its notice is acknowledged (attention.ts), and says who in the legend', () => {
    const spot = notice('spot-interruption', { action: 'terminate' });
    const acked: ItemAttention = { acknowledged: { by: 'cli', atMs: 50_000 } };
    for (const nowMs of [URGENT_NOTICE_PERIOD_MS / 2, URGENT_NOTICE_PERIOD_MS, NOTICE_PERIOD_MS / 2]) {
      const calm = draw(4, 3, nowMs, notice('system-reboot'));
      expect([...draw(4, 3, nowMs, spot, acked).frame.rgb.slice(0, 3)]).toEqual([
        ...calm.frame.rgb.slice(0, 3),
      ]);
    }
    // Half an urgent breath (500 ms): a sixth of the calm 3 s breath, so 0.2 amber, not 0.8.
    expect([...draw(4, 3, URGENT_NOTICE_PERIOD_MS / 2, spot, acked).frame.rgb.slice(0, 3)]).toEqual([
      51, 34, 204,
    ]);
    expect(draw(4, 3, 0, spot, acked).view.pixels[0]?.entry).toMatchObject({
      notice: { urgent: true },
      attention: { acknowledged: { by: 'cli', atMs: 50_000 } },
    });
  });

  it('names the notice in the legend entry, with its steady state colour', () => {
    const pixel = draw(4, 3, 750, notice('spot-interruption', { action: 'terminate' })).view.pixels[0];
    expect(pixel?.color).toBe('#0000ff');
    expect(pixel?.entry?.notice).toEqual({
      code: 'spot-interruption',
      action: 'terminate',
      startMs: 100_000,
      endMs: 200_000,
      urgent: true,
    });
    expect(draw(4, 3, 0).view.pixels[0]?.entry).not.toHaveProperty('notice');
  });

  it('is unlike every state look: its hue moves, where steady, pulsing and flashing states keep theirs', () => {
    const hue = ([r, g, b]: readonly number[]) => {
      const sum = (r ?? 0) + (g ?? 0) + (b ?? 0);
      return sum === 0
        ? [0, 0, 0]
        : [(r ?? 0) / sum, (g ?? 0) / sum, (b ?? 0) / sum].map((v) => v.toFixed(2));
    };
    const states = Object.keys(DEFAULT_PALETTE) as (keyof typeof DEFAULT_PALETTE)[];
    for (const state of INSTANCE_STATES) {
      const base = colorOf(DEFAULT_PALETTE, state);
      const mid = noticeColor(base, NOTICE_PERIOD_MS / 2, false);
      expect(hue(mid), state).not.toEqual(hue(base));
      expect(states.map((s) => toHex(colorOf(DEFAULT_PALETTE, s)))).not.toContain(toHex(mid));
    }
  });

  it('writes the overlay to a 1-row board (LED SHIM, 28x1): exact bytes at whole and half breaths', async () => {
    const bus = new FakeI2cBus();
    const board = createLedShim(async () => bus);
    await board.open();
    for (const [nowMs, rgb] of [
      [0, [0, 0, 255]],
      [NOTICE_PERIOD_MS / 2, [204, 134, 51]],
    ] as const) {
      bus.clear();
      const { frame } = draw(28, 1, nowMs, notice('instance-retirement'));
      await board.show(frame);
      // Pixel 0 of the LED SHIM is PWM offsets R 118, G 69, B 85 (docs/reference/hardware.md §5.5).
      const entries = [
        [118, rgb[0]],
        [69, rgb[1]],
        [85, rgb[2]],
      ].filter(([, v]) => v !== 0) as [number, number][];
      expect(bus.log()).toEqual(showFrame(0x75, 0, pwmWith(entries)));
    }
    await board.close();
  });
});
