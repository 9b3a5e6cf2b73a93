/**
 * Zones: where each kind's new pixels go. By default instances fill from the top-left, alarms from
 * the bottom-left upwards, sharing the board; `rows` reserves rows at a kind's edge for it alone.
 * Pins (by alarm name or ARN) ignore zones; a kind whose reserved zone is full overflows.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import type { Pixel } from '../../../device/picture/pins.ts';
import { assignSlots, type SlotInput } from '../../../device/picture/slots.ts';
import { instance } from '../../kit/builders.ts';

const ACCOUNT = '111111111111';

function alarm(name: string, state: 'OK' | 'ALARM' = 'OK'): Item {
  return {
    kind: 'alarm',
    id: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`,
    state,
    timeMs: 0,
    sinceMs: 0,
    region: 'us-east-1',
    account: ACCOUNT,
    name,
    tags: {},
  };
}

const fleetOf = (...things: Item[]): Fleet => new Map(things.map((i) => [i.id, i]));

function lay(fleet: Fleet, over: Partial<SlotInput> = {}) {
  return assignSlots({ fleet, previous: new Map(), width: 3, height: 3, nowMs: 0, listed: true, ...over });
}

/** The slots as "x,y" by name, for readable expectations. */
function where(fleet: Fleet, layout: { slots: ReadonlyMap<string, Pixel> }): Record<string, string> {
  return Object.fromEntries([...layout.slots].map(([id, p]) => [fleet.get(id)?.name ?? id, `${p.x},${p.y}`]));
}

describe('slots: zones per kind', () => {
  it('by default puts instances from the top-left and alarms from the bottom-left upwards', () => {
    const fleet = fleetOf(
      instance(1, 'running', 'a'),
      instance(2, 'running', 'b'),
      alarm('x'),
      alarm('y'),
      alarm('z'),
      alarm('w'),
    );
    expect(where(fleet, lay(fleet))).toEqual({
      a: '0,0',
      b: '1,0',
      w: '0,2',
      x: '1,2',
      y: '2,2',
      z: '0,1',
    });
  });

  it('follows a configured zone: alarms from the top, instances from the bottom', () => {
    const fleet = fleetOf(instance(1, 'running', 'a'), alarm('x'));
    const layout = lay(fleet, { zones: { alarm: { from: 'top' }, instance: { from: 'bottom' } } });
    expect(where(fleet, layout)).toEqual({ x: '0,0', a: '0,2' });
  });

  it('reserves rows for a kind: no other kind lands there, and the kind stays inside', () => {
    const fleet = fleetOf(...[1, 2, 3, 4, 5, 6, 7].map((n) => instance(n, 'running', `i${n}`)), alarm('x'));
    const layout = lay(fleet, { zones: { alarm: { rows: 1 } } });
    const placed = where(fleet, layout);
    expect(placed.x).toBe('0,2');
    // Six instances fit in the two upper rows; the seventh overflows although row 2 has room.
    const instanceRows = Object.entries(placed)
      .filter(([name]) => name.startsWith('i'))
      .map(([, xy]) => xy.split(',')[1]);
    expect(instanceRows.every((y) => y !== '2')).toBe(true);
    expect(layout.overflow).toBe(1);
    expect(layout.overflowPixel).toEqual({ x: 2, y: 2 });
  });

  it('overflows a full reserved zone while the rest of the board is free', () => {
    const fleet = fleetOf(alarm('a'), alarm('b'), alarm('c'), alarm('d'));
    const layout = lay(fleet, { zones: { alarm: { rows: 1 } } });
    // Three pixels in the bottom row; the last is the overflow indicator, so two alarms show.
    expect(layout.overflow).toBe(2);
    expect(Object.values(where(fleet, layout)).sort()).toEqual(['0,2', '1,2']);
  });

  it('moves a thing held outside its zone (the zone changed) and keeps one held inside', () => {
    const fleet = fleetOf(instance(1, 'running', 'a'), alarm('x'));
    const previous = new Map<string, Pixel>([
      [instance(1).id, { x: 2, y: 2 }],
      [alarm('x').id, { x: 1, y: 2 }],
    ]);
    const layout = lay(fleet, { previous, zones: { alarm: { rows: 1 } } });
    expect(where(fleet, layout)).toEqual({ a: '0,0', x: '1,2' });
  });

  it('pins an alarm by name or by ARN, anywhere, whatever its zone', () => {
    const fleet = fleetOf(alarm('x'), alarm('y'), instance(1, 'running', 'a'));
    const layout = lay(fleet, {
      pins: { x: '2,0', [alarm('y').id]: '1,1' },
      zones: { alarm: { rows: 1 } },
    });
    expect(where(fleet, layout)).toEqual({ x: '2,0', y: '1,1', a: '0,0' });
  });

  it('warns when two kinds reserve the same row, and gives it to the first kind', () => {
    const fleet = fleetOf(instance(1, 'running', 'a'), alarm('x'));
    const layout = lay(fleet, { zones: { instance: { rows: 3 }, alarm: { rows: 1 } } });
    expect(layout.warnings).toContain('zones: row 2 is reserved for instance already; alarm does not get it');
    expect(layout.overflow).toBe(1);
  });
});
