import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { DEFAULT_PALETTE, parsePalette } from '../../../device/picture/palette.ts';
import { composePicture, type PictureInput } from '../../../device/picture/picture.ts';
import { renderBoard } from '../../../device/picture/render.ts';
import { assignSlots } from '../../../device/picture/slots.ts';
import { instance } from '../../kit/builders.ts';

const fleetOf = (...instances: Item[]): Fleet => new Map(instances.map((i) => [i.id, i]));
const steady = fleetOf(
  instance(1, 'running', 'web'),
  instance(2, 'stopped', 'db'),
  instance(3, 'pending', 'new'),
);
const connected = { connected: true, synced: true };

function compose(over: Partial<PictureInput> = {}) {
  return composePicture({
    fleet: steady,
    slots: new Map(),
    listed: true,
    settings: { width: 4, height: 3 },
    status: connected,
    nowMs: 0,
    ...over,
  });
}

describe('composePicture', () => {
  it('is assignSlots then renderBoard: the same layout, frame and legend', () => {
    const layout = assignSlots({
      fleet: steady,
      previous: new Map(),
      width: 4,
      height: 3,
      nowMs: 0,
      listed: true,
    });
    const rendered = renderBoard({
      fleet: steady,
      layout,
      palette: DEFAULT_PALETTE,
      status: connected,
      nowMs: 0,
    });
    const picture = compose();
    expect(picture.layout).toEqual(layout);
    expect(picture.frame).toEqual(rendered.frame);
    expect(picture.legend).toEqual(rendered.view);
    expect(picture.wakeInMs).toBe(rendered.nextFrameInMs);
  });

  it('honours the pins and the colours of the settings', () => {
    const parsed = parsePalette({ stopped: '#0000ff' });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const picture = compose({
      settings: { width: 4, height: 3, pins: { db: '3,2' }, palette: parsed.palette },
    });
    expect(picture.layout.slots.get('i-00000002')).toEqual({ x: 3, y: 2 });
    expect(picture.legend.pixels.find((p) => p.entry?.name === 'db')?.color).toBe('#0000ff');
    const at = (2 * 4 + 3) * 3;
    expect([...picture.frame.rgb.slice(at, at + 3)]).toEqual([0, 0, 255]);
  });

  it('reuses the layout and the legend (same objects) while fleet, listing and status hold', () => {
    const first = compose();
    const animation = compose({ nowMs: 50, previous: first });
    expect(animation.layout).toBe(first.layout);
    expect(animation.legend).toBe(first.legend);
    expect(animation.frame).not.toEqual(first.frame); // the pending pixel pulses
    const moved = compose({ nowMs: 100, previous: animation, fleet: fleetOf(instance(1, 'running', 'web')) });
    expect(moved.layout).not.toBe(first.layout);
    expect(moved.legend).not.toBe(first.legend);
    const disconnected = compose({
      nowMs: 100,
      previous: first,
      status: { connected: false, synced: false },
    });
    expect(disconnected.layout).toBe(first.layout);
    expect(disconnected.legend).not.toBe(first.legend);
    expect(disconnected.legend.connected).toBe(false);
  });

  it('lays out again once a grace period ends', () => {
    const fleet = fleetOf({ ...instance(1, 'terminated', 'gone'), sinceMs: 0 }, instance(2, 'running', 'db'));
    const slots = new Map([['i-00000001', { x: 0, y: 0 }]]); // it had a pixel while it ran
    const first = compose({ fleet, slots, settings: { width: 4, height: 3, graceMs: 1_000 } });
    expect(first.layout.slots.get('i-00000001')).toEqual({ x: 0, y: 0 });
    expect(first.layout.nextExpiryAtMs).toBe(1_000);
    const during = compose({
      fleet,
      settings: { width: 4, height: 3, graceMs: 1_000 },
      nowMs: 999,
      previous: first,
    });
    expect(during.layout).toBe(first.layout);
    const after = compose({
      fleet,
      slots: first.layout.slots,
      settings: { width: 4, height: 3, graceMs: 1_000 },
      nowMs: 1_000,
      previous: first,
    });
    expect(after.layout).not.toBe(first.layout);
    expect(after.layout.slots.has('i-00000001')).toBe(false);
  });
});
