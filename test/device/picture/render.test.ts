import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { IDENTIFY_MS, PULSE_FRAME_MS } from '../../../device/picture/animate.ts';
import { DEFAULT_PALETTE, parsePalette } from '../../../device/picture/palette.ts';
import { type Identify, type RenderInput, renderBoard } from '../../../device/picture/render.ts';
import { assignSlots, type Layout } from '../../../device/picture/slots.ts';
import { instance } from '../../kit/builders.ts';
import { art, ascii } from './ascii.ts';

function fleetOf(...instances: Item[]): Fleet {
  return new Map(instances.map((i) => [i.id, i]));
}

/** Lays the fleet out on a fresh 4x3 board, in id order (all unnamed), then renders it. */
function draw(fleet: Fleet, over: Partial<RenderInput> = {}, layout?: Layout) {
  const laid =
    layout ?? assignSlots({ fleet, previous: new Map(), width: 4, height: 3, nowMs: 0, listed: true });
  return renderBoard({
    fleet,
    layout: laid,
    palette: DEFAULT_PALETTE,
    status: { connected: true, synced: true },
    nowMs: 0,
    ...over,
  });
}

const steady = fleetOf(instance(1, 'running'), instance(2, 'stopped'), instance(3, 'running'));

describe('render: the frame', () => {
  it('shows each instance in its state colour on its pixel, free pixels off', () => {
    const { frame } = draw(steady);
    expect(ascii(frame)).toBe(
      art(`
        BRB.
        ....
        ....`),
    );
    expect([frame.width, frame.height, frame.rgb.length]).toEqual([4, 3, 36]);
  });

  it('runs no timer at all while nothing animates', () => {
    expect(draw(steady)).toMatchObject({ animating: false, nextFrameInMs: undefined });
  });

  it('pulses in-between states: full at whole periods, dimmest half-way, in step', () => {
    const busy = fleetOf(
      instance(1, 'pending'),
      instance(2, 'stopping'),
      instance(3, 'shutting-down'),
      instance(4, 'running'),
    );
    expect(ascii(draw(busy, { nowMs: 0 }).frame)).toBe(art('GYOB\n....\n....'));
    expect(ascii(draw(busy, { nowMs: 1000 }).frame)).toBe(art('gyoB\n....\n....'));
    expect(draw(busy, { nowMs: 1000 }).frame.rgb.slice(0, 3)).toEqual(new Uint8Array([0, 77, 0]));
    expect(draw(busy)).toMatchObject({ animating: true, nextFrameInMs: PULSE_FRAME_MS });
  });

  it('dims the fleet and blinks magenta bottom-right while disconnected', () => {
    const down = { status: { connected: false, synced: false } };
    expect(ascii(draw(steady, { ...down, nowMs: 0 }).frame)).toBe(
      art(`
        brb.
        ....
        ...M`),
    );
    expect(ascii(draw(steady, { ...down, nowMs: 500 }).frame)).toBe(
      art(`
        brb.
        ....
        ....`),
    );
    expect(draw(steady, { ...down, nowMs: 200 })).toMatchObject({ animating: true, nextFrameInMs: 300 });
  });

  it('blinks cyan bottom-right, fleet at full colour, while connected but not yet synced', () => {
    const syncing = { status: { connected: true, synced: false } };
    expect(ascii(draw(steady, syncing).frame)).toBe(art('BRB.\n....\n...C'));
  });

  it('blinks the status pixel over an instance, showing the instance half the time', () => {
    const full = fleetOf(...Array.from({ length: 9 }, (_, i) => instance(i + 1, 'running')));
    const layout = assignSlots({
      fleet: full,
      previous: new Map(),
      width: 3,
      height: 3,
      nowMs: 0,
      listed: true,
    });
    const syncing = { status: { connected: true, synced: false } };
    expect(ascii(draw(full, { ...syncing, nowMs: 0 }, layout).frame)).toBe(art('BBB\nBBB\nBBC'));
    expect(ascii(draw(full, { ...syncing, nowMs: 600 }, layout).frame)).toBe(art('BBB\nBBB\nBBB'));
  });

  it('shows a steady white overflow pixel bottom-right when instances outnumber pixels', () => {
    const many = fleetOf(...Array.from({ length: 6 }, (_, i) => instance(i + 1, 'stopped')));
    const layout = assignSlots({
      fleet: many,
      previous: new Map(),
      width: 2,
      height: 2,
      nowMs: 0,
      listed: true,
    });
    const { frame, view, animating } = draw(many, {}, layout);
    expect(ascii(frame)).toBe(art('RR\nRW'));
    expect(view.overflow).toBe(3);
    expect(animating).toBe(false);
  });

  it('blinks an identified instance white and off, then stops', () => {
    const identify: Identify = { target: { id: 'i-00000002' }, untilMs: IDENTIFY_MS };
    expect(ascii(draw(steady, { identify, nowMs: 0 }).frame)).toBe(art('BWB.\n....\n....'));
    expect(ascii(draw(steady, { identify, nowMs: 130 }).frame)).toBe(art('B.B.\n....\n....'));
    expect(draw(steady, { identify, nowMs: 0 })).toMatchObject({ animating: true, nextFrameInMs: 125 });
    expect(draw(steady, { identify, nowMs: 4990 }).nextFrameInMs).toBe(10);
    expect(draw(steady, { identify, nowMs: IDENTIFY_MS })).toMatchObject({
      animating: false,
      nextFrameInMs: undefined,
    });
  });

  it('blinks the whole board white and off when the board is identified (a flash), then stops', () => {
    const identify: Identify = { target: { board: true }, untilMs: 2_000 };
    expect(ascii(draw(steady, { identify, nowMs: 0 }).frame)).toBe(art('WWWW\nWWWW\nWWWW'));
    expect(ascii(draw(steady, { identify, nowMs: 130 }).frame)).toBe(art('....\n....\n....'));
    expect(draw(steady, { identify, nowMs: 1_990 })).toMatchObject({ animating: true, nextFrameInMs: 10 });
    // The legend (the web board, Home Assistant's state) never shows the blink.
    expect(draw(steady, { identify, nowMs: 0 }).view).toEqual(draw(steady).view);
    expect(ascii(draw(steady, { identify, nowMs: 2_000 }).frame)).toBe(art('BRB.\n....\n....'));
  });

  it('blinks an identified pixel even when it is free, and ignores one off the board', () => {
    const free: Identify = { target: { x: 3, y: 2 }, untilMs: 1000 };
    expect(ascii(draw(steady, { identify: free }).frame)).toBe(art('BRB.\n....\n...W'));
    const off: Identify = { target: { x: 9, y: 9 }, untilMs: 1000 };
    expect(draw(steady, { identify: off }).animating).toBe(false);
  });

  it('shows a terminated instance dim until its grace ends, and wakes up once for that', () => {
    const fleet = fleetOf(instance(1, 'running'), instance(2, 'terminated', undefined, { sinceMs: 0 }));
    const previous = new Map([
      ['i-00000001', { x: 0, y: 0 }],
      ['i-00000002', { x: 1, y: 0 }],
    ]);
    const layout = assignSlots({ fleet, previous, width: 4, height: 3, nowMs: 60_000, listed: true });
    const rendered = draw(fleet, { nowMs: 60_000 }, layout);
    expect(ascii(rendered.frame)).toBe(art('BT..\n....\n....'));
    expect(rendered).toMatchObject({ animating: false, nextFrameInMs: 540_000 });
  });

  it('uses the palette it is given', () => {
    const palette = parsePalette({ running: '#00ff00' });
    if (!palette.ok) throw new Error(palette.errors.join('; '));
    expect(ascii(draw(steady, { palette: palette.palette }).frame)).toBe(art('GRG.\n....\n....'));
  });
});

describe('render: the view', () => {
  it('lists every pixel row-major with its steady colour and instance, or null', () => {
    const fleet = fleetOf(instance(1, 'pending', 'web'), instance(2, 'stopped'));
    const { view } = draw(fleet, { nowMs: 1000, status: { connected: false, synced: false } });
    expect(view).toMatchObject({ width: 4, height: 3, connected: false, synced: false, overflow: 0 });
    expect(view.pixels).toHaveLength(12);
    expect(view.pixels[0]).toEqual({
      x: 0,
      y: 0,
      color: '#00ff00',
      entry: {
        kind: 'instance',
        id: 'i-00000001',
        name: 'web',
        state: 'pending',
        region: 'us-east-1',
        account: '111111111111',
        sinceMs: 0,
      },
    });
    expect(view.pixels[1]).toMatchObject({ x: 1, y: 0, color: '#ff0000', entry: { name: '' } });
    expect(view.pixels[11]).toEqual({ x: 3, y: 2, color: '#000000', entry: null });
  });

  it('does not change while only the animation moves', () => {
    const fleet = fleetOf(instance(1, 'pending'));
    expect(draw(fleet, { nowMs: 0 }).view).toEqual(draw(fleet, { nowMs: 1000 }).view);
  });

  it('shows a pixel reserved for an instance not seen yet as off, with no instance', () => {
    const previous = new Map([['i-0000000a', { x: 0, y: 0 }]]);
    const fleet = fleetOf(instance(1, 'running'));
    const layout = assignSlots({ fleet, previous, width: 4, height: 3, nowMs: 0, listed: false });
    const { frame, view } = draw(fleet, {}, layout);
    expect(ascii(frame)).toBe(art('.B..\n....\n....'));
    expect(view.pixels[0]).toEqual({ x: 0, y: 0, color: '#000000', entry: null });
  });

  it('marks the overflow pixel white with no instance', () => {
    const many = fleetOf(...Array.from({ length: 5 }, (_, i) => instance(i + 1, 'stopped')));
    const layout = assignSlots({
      fleet: many,
      previous: new Map(),
      width: 2,
      height: 2,
      nowMs: 0,
      listed: true,
    });
    expect(draw(many, {}, layout).view.pixels[3]).toEqual({ x: 1, y: 1, color: '#ffffff', entry: null });
  });
});

describe('render: alarms', () => {
  const alarm = (state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): Item => ({
    kind: 'alarm',
    id: `arn:aws:cloudwatch:us-east-1:111111111111:alarm:${state}`,
    state,
    timeMs: 0,
    sinceMs: 0,
    region: 'us-east-1',
    account: '111111111111',
    name: state,
    tags: {},
  });

  it('shows OK and INSUFFICIENT_DATA steady in their own colours, and runs no timer for them', () => {
    const fleet = fleetOf(alarm('OK'), alarm('INSUFFICIENT_DATA'));
    const out = draw(fleet);
    const lit = out.view.pixels.filter((p) => p.entry !== null);
    // From the bottom-left, by name: INSUFFICIENT_DATA before OK.
    expect(lit.map((p) => [p.x, p.y, p.entry?.kind, p.entry?.state, p.color])).toEqual([
      [0, 2, 'alarm', 'INSUFFICIENT_DATA', '#8000ff'],
      [1, 2, 'alarm', 'OK', '#008060'],
    ]);
    expect(out).toMatchObject({ animating: false, nextFrameInMs: undefined });
  });

  it('flashes ALARM: full colour, then 15% 200 ms later, never off, waking at each toggle', () => {
    const fleet = fleetOf(alarm('ALARM'));
    const at = (nowMs: number) => draw(fleet, { nowMs });
    const pixelOf = (nowMs: number) => {
      const { frame, view } = at(nowMs);
      const p = view.pixels.find((x) => x.entry !== null) as { x: number; y: number };
      const i = (p.y * frame.width + p.x) * 3;
      return [...frame.rgb.slice(i, i + 3)];
    };
    expect(pixelOf(0)).toEqual([255, 0, 128]);
    expect(pixelOf(250)).toEqual([38, 0, 19]);
    expect(at(0)).toMatchObject({ animating: true, nextFrameInMs: 200 });
    expect(at(250).nextFrameInMs).toBe(150);
    // The legend keeps the steady colour.
    expect(at(250).view.pixels.find((p) => p.entry !== null)?.color).toBe('#ff0080');
  });

  it('takes an overridden ALARM colour from the config', () => {
    const parsed = parsePalette({ ALARM: '#ff0000' });
    if (!parsed.ok) throw new Error('palette');
    const { view } = draw(fleetOf(alarm('ALARM')), { palette: parsed.palette });
    expect(view.pixels.find((p) => p.entry !== null)?.color).toBe('#ff0000');
  });
});
