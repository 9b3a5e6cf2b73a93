/**
 * The deploy look (kinds.ts `deployLook`, drawn by render.ts through the kind-free `look` hook): the
 * exact bytes of a deploy pixel over time on a fake clock, and when the board asks to be drawn again.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import { FIXED_LOOK_MS } from '../../../device/kinds/kinds.ts';
import { FLASH_PERIOD_MS, PULSE_FRAME_MS, PULSE_PERIOD_MS } from '../../../device/picture/animate.ts';
import { DEFAULT_PALETTE } from '../../../device/picture/palette.ts';
import { renderBoard } from '../../../device/picture/render.ts';
import { assignSlots } from '../../../device/picture/slots.ts';
import type { DeployState } from '../../../shared/deploy-message.ts';
import { FakeClock } from '../../fakes/display/fake-clock.ts';

const DIM_AFTER_MS = 30 * 60_000;

function pipeline(state: DeployState, sinceMs: number, previousState?: DeployState): Item {
  return {
    kind: 'deploy',
    id: 'arn:aws:codepipeline:eu-west-1:123456789012:shop',
    state,
    timeMs: sinceMs,
    sinceMs,
    startMs: sinceMs,
    region: 'eu-west-1',
    account: '123456789012',
    name: 'shop',
    tags: {},
    ...(previousState === undefined ? {} : { previousState }),
  };
}

/** The first pixel's bytes and the next wake-up, at the fake clock's time. */
function at(clock: FakeClock, item: Item) {
  const fleet = new Map([[item.id, item]]);
  const layout = assignSlots({ fleet, previous: new Map(), width: 2, height: 1, nowMs: 0, listed: true });
  const out = renderBoard({
    fleet,
    layout,
    palette: DEFAULT_PALETTE,
    status: { connected: true, synced: true },
    nowMs: clock.now(),
    dimAfterMs: DIM_AFTER_MS,
  });
  return { rgb: [...out.frame.rgb.slice(0, 3)], wake: out.nextFrameInMs, animating: out.animating };
}

describe('deploy look', () => {
  it('a success is steady mint, asks for one wake-up when it dims, then is dim and asks for none', () => {
    const clock = new FakeClock();
    const item = pipeline('deployed', 0);
    clock.advance(1_000);
    expect(at(clock, item)).toEqual({
      rgb: [0x40, 0xff, 0x80],
      wake: DIM_AFTER_MS - 1_000,
      animating: false,
    });
    clock.advance(DIM_AFTER_MS);
    expect(at(clock, item)).toEqual({ rgb: [13, 51, 26], wake: undefined, animating: false });
  });

  it('a fixed deploy (failed, then succeeded) flashes mint for FIXED_LOOK_MS, then is steady', () => {
    const clock = new FakeClock();
    const item = pipeline('deployed', 0, 'deploy-failed');
    expect(at(clock, item)).toMatchObject({ rgb: [0x40, 0xff, 0x80], animating: true });
    clock.advance(FLASH_PERIOD_MS / 2);
    expect(at(clock, item)).toMatchObject({ rgb: [10, 38, 19], wake: FLASH_PERIOD_MS / 2 });
    clock.advance(FIXED_LOOK_MS);
    expect(at(clock, item)).toEqual({
      rgb: [0x40, 0xff, 0x80],
      wake: DIM_AFTER_MS - FIXED_LOOK_MS - FLASH_PERIOD_MS / 2,
      animating: false,
    });
  });

  it('a failure flashes orange-red for as long as it lasts', () => {
    const clock = new FakeClock();
    const item = pipeline('deploy-failed', 0);
    clock.advance(DIM_AFTER_MS * 10);
    expect(at(clock, item)).toMatchObject({ rgb: [0xff, 0x40, 0x00], animating: true });
    clock.advance(FLASH_PERIOD_MS / 2);
    expect(at(clock, item)).toMatchObject({ rgb: [38, 10, 0], animating: true });
  });

  it('a run in progress pulses cyan; a stopped run is steady', () => {
    const clock = new FakeClock();
    expect(at(clock, pipeline('deploying', 0))).toEqual({
      rgb: [0x00, 0xc0, 0xff],
      wake: PULSE_FRAME_MS,
      animating: true,
    });
    clock.advance(PULSE_PERIOD_MS / 2);
    expect(at(clock, pipeline('deploying', 0)).rgb).toEqual([0, 58, 77]);
    expect(at(clock, pipeline('deploy-stopped', 0))).toEqual({
      rgb: [0x80, 0x60, 0x00],
      wake: undefined,
      animating: false,
    });
  });
});
