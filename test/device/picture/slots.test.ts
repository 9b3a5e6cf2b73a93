import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import type { Pixel } from '../../../device/picture/pins.ts';
import { assignSlots, DEFAULT_GRACE_MS, type SlotInput, sameSlots } from '../../../device/picture/slots.ts';
import { INSTANCE_STATES, type InstanceState } from '../../../shared/instance-state.ts';
import { instanceId as id, instance } from '../../kit/builders.ts';

const fleetOf = (...instances: Item[]): Fleet => new Map(instances.map((i) => [i.id, i]));
const slotsOf = (entries: Record<string, string>) =>
  new Map(
    Object.entries(entries).map(([key, xy]) => {
      const [x, y] = xy.split(',').map(Number) as [number, number];
      return [key, { x, y }];
    }),
  );

function lay(fleet: Fleet, over: Partial<SlotInput> = {}) {
  return assignSlots({ fleet, previous: new Map(), width: 3, height: 2, nowMs: 0, listed: true, ...over });
}

/** The slots as "x,y" strings by id, for readable expectations. */
function where(layout: { slots: ReadonlyMap<string, Pixel> }): Record<string, string> {
  return Object.fromEntries([...layout.slots].map(([key, p]) => [key, `${p.x},${p.y}`]));
}

describe('slots: new instances', () => {
  it('fill free pixels row by row from the top-left, by Name then id, unnamed last', () => {
    const fleet = fleetOf(
      instance(1),
      instance(2, 'running', 'web'),
      instance(3, 'running', 'api'),
      instance(4, 'running', 'web'),
      instance(5, 'running', ''),
    );
    expect(where(lay(fleet))).toEqual({
      [id(3)]: '0,0',
      [id(2)]: '1,0',
      [id(4)]: '2,0',
      [id(1)]: '0,1',
      [id(5)]: '1,1',
    });
  });

  it('keep every existing instance on its pixel and take the first free one', () => {
    const previous = slotsOf({ [id(9)]: '0,0', [id(8)]: '2,0' });
    const layout = lay(fleetOf(instance(9), instance(8), instance(1, 'running', 'aaa')), { previous });
    expect(where(layout)).toEqual({ [id(9)]: '0,0', [id(8)]: '2,0', [id(1)]: '1,0' });
  });

  it('re-place an instance whose pixel is off a smaller board', () => {
    const previous = slotsOf({ [id(1)]: '7,7' });
    expect(where(lay(fleetOf(instance(1)), { previous }))).toEqual({ [id(1)]: '0,0' });
  });
});

describe('slots: pins', () => {
  it('puts an instance on its config pin, by id or by Name', () => {
    const fleet = fleetOf(instance(1), instance(2, 'running', 'db'));
    const layout = lay(fleet, { pins: { [id(1)]: '2,1', db: '1,1' } });
    expect(where(layout)).toEqual({ [id(1)]: '2,1', [id(2)]: '1,1' });
    expect(layout.warnings).toEqual([]);
  });

  it('puts an instance on the pixel of its ec2led:pixel tag', () => {
    const layout = lay(fleetOf(instance(1, 'running', undefined, { tags: { 'ec2led:pixel': '2,0' } })));
    expect(where(layout)).toEqual({ [id(1)]: '2,0' });
  });

  it('moves an unpinned instance off a pixel a pin claims', () => {
    const previous = slotsOf({ [id(1)]: '0,0' });
    const fleet = fleetOf(
      instance(1),
      instance(2, 'running', undefined, { tags: { 'ec2led:pixel': '0,0' } }),
    );
    expect(where(lay(fleet, { previous }))).toEqual({ [id(2)]: '0,0', [id(1)]: '1,0' });
  });

  it('lets a config pin beat a tag pin for the same pixel, and says so', () => {
    const fleet = fleetOf(
      instance(1, 'running', undefined, { tags: { 'ec2led:pixel': '1,0' } }),
      instance(2),
    );
    const layout = lay(fleet, { pins: { [id(2)]: '1,0' } });
    expect(where(layout)).toEqual({ [id(2)]: '1,0', [id(1)]: '0,0' });
    expect(layout.warnings).toEqual([`tag pin of ${id(1)} to "1,0" lost to ${id(2)}, pinned there first`]);
  });

  it('lets the config id pin beat the config Name pin', () => {
    const fleet = fleetOf(instance(1, 'running', 'web'), instance(2));
    const layout = lay(fleet, { pins: { web: '0,1', [id(2)]: '0,1' } });
    expect(where(layout)[id(2)]).toBe('0,1');
  });

  it('settles two tag pins on one pixel for the instance already there, else the lowest id', () => {
    const tag = { 'ec2led:pixel': '2,1' };
    const fleet = fleetOf(
      instance(5, 'running', undefined, { tags: tag }),
      instance(7, 'running', undefined, { tags: tag }),
    );
    expect(where(lay(fleet))[id(5)]).toBe('2,1');
    expect(where(lay(fleet, { previous: slotsOf({ [id(7)]: '2,1' }) }))[id(7)]).toBe('2,1');
  });

  it('ignores hostile or invalid tag values with a reason, never throwing', () => {
    const bad = ['9,9', '-1,0', 'x', '1,2,3', '1.5,0', '', '\u001b[2J0,0', `${'9'.repeat(5000)},0`, '0x1,0'];
    const fleet = fleetOf(
      ...bad.map((value, i) => instance(i + 1, 'running', undefined, { tags: { 'ec2led:pixel': value } })),
    );
    const layout = lay(fleet, { width: 4, height: 3 });
    expect(layout.slots.size).toBe(bad.length);
    expect(layout.warnings).toHaveLength(bad.length);
    expect(layout.warnings[0]).toBe(
      `tag ec2led:pixel of ${id(1)} ignored: "9,9" is outside the 4x3 board (x 0-3, y 0-2)`,
    );
    for (const warning of layout.warnings) {
      expect(warning.length).toBeLessThan(200);
      expect(warning).not.toContain('\u001b');
    }
  });

  it('accepts spaces around the numbers of a pin', () => {
    expect(where(lay(fleetOf(instance(1)), { pins: { [id(1)]: ' 2 , 1 ' } }))).toEqual({ [id(1)]: '2,1' });
  });

  it('falls back from a bad config pin to the tag pin, with a warning', () => {
    const fleet = fleetOf(instance(1, 'running', undefined, { tags: { 'ec2led:pixel': '1,1' } }));
    const layout = lay(fleet, { pins: { [id(1)]: 'top-left' } });
    expect(where(layout)).toEqual({ [id(1)]: '1,1' });
    expect(layout.warnings[0]).toMatch(/^config pin "i-00000001" ignored: "top-left" is not "x,y"/);
  });
});

describe('slots: terminated and vanished instances', () => {
  const previous = slotsOf({ [id(1)]: '1,0' });
  const gone = (sinceMs: number) => instance(1, 'terminated', undefined, { sinceMs });

  it('keeps a terminated instance on its pixel for the grace period, and says when it ends', () => {
    const layout = lay(fleetOf(gone(1000)), { previous, nowMs: 1000 + DEFAULT_GRACE_MS - 1 });
    expect(where(layout)).toEqual({ [id(1)]: '1,0' });
    expect(layout.nextExpiryAtMs).toBe(1000 + DEFAULT_GRACE_MS);
  });

  it('frees the pixel once the grace period is over', () => {
    const layout = lay(fleetOf(gone(1000), instance(2)), { previous, nowMs: 1000 + DEFAULT_GRACE_MS });
    expect(where(layout)).toEqual({ [id(2)]: '0,0' });
    expect(layout.nextExpiryAtMs).toBeUndefined();
  });

  it('honours a shorter grace period', () => {
    expect(lay(fleetOf(gone(0)), { previous, nowMs: 5000, graceMs: 5000 }).slots.size).toBe(0);
  });

  it('never gives a terminated instance a new pixel', () => {
    expect(lay(fleetOf(gone(0))).slots.size).toBe(0);
  });

  it('gives the pixel of a terminated instance to a newcomer that finds no free one', () => {
    const full = slotsOf({ [id(1)]: '0,0', [id(2)]: '1,0', [id(3)]: '2,0', [id(4)]: '0,1', [id(5)]: '1,1' });
    const fleet = fleetOf(
      ...[2, 3, 4, 5].map((n) => instance(n)),
      instance(1, 'terminated', undefined, { sinceMs: 0 }),
      instance(6, 'running', 'a'),
      instance(7, 'running', 'b'),
    );
    const layout = lay(fleet, { previous: full, nowMs: 1000 });
    expect(where(layout)).toMatchObject({ [id(6)]: '2,1', [id(7)]: '0,0' });
    expect([layout.slots.has(id(1)), layout.overflow, layout.nextExpiryAtMs]).toEqual([false, 0, undefined]);
  });

  it('frees the pixel of an instance that vanished from the fleet', () => {
    expect(where(lay(fleetOf(instance(2)), { previous }))).toEqual({ [id(2)]: '0,0' });
  });

  it('keeps the pixels of instances not seen yet until the first listing', () => {
    const layout = lay(fleetOf(instance(2)), { previous, listed: false });
    expect(where(layout)).toEqual({ [id(1)]: '1,0', [id(2)]: '0,0' });
  });
});

describe('slots: overflow', () => {
  const seven = fleetOf(...Array.from({ length: 7 }, (_, i) => instance(i + 1)));

  it('reserves the bottom-right pixel and counts who is left without one', () => {
    const layout = lay(seven);
    expect(layout.overflow).toBe(2);
    expect(layout.overflowPixel).toEqual({ x: 2, y: 1 });
    expect(Object.values(where(layout)).sort()).toEqual(['0,0', '0,1', '1,0', '1,1', '2,0']);
  });

  it('uses every pixel when the fleet fits exactly', () => {
    const layout = lay(fleetOf(...Array.from({ length: 6 }, (_, i) => instance(i + 1))));
    expect([layout.overflow, layout.overflowPixel, layout.slots.size]).toEqual([0, undefined, 6]);
  });

  it('keeps placed instances and leaves the newcomers out', () => {
    const previous = slotsOf({ [id(7)]: '0,0', [id(6)]: '1,0' });
    const layout = lay(seven, { previous });
    expect(where(layout)).toMatchObject({ [id(7)]: '0,0', [id(6)]: '1,0' });
    expect(layout.slots.has(id(5))).toBe(false);
  });

  it('moves a pin off the overflow indicator, with a warning', () => {
    const layout = lay(seven, { pins: { [id(1)]: '2,1' } });
    expect(layout.slots.get(id(1))).not.toEqual({ x: 2, y: 1 });
    expect(layout.warnings).toEqual([`config id pin of ${id(1)} to "2,1" yields to the overflow indicator`]);
  });
});

describe('slots (property)', () => {
  const fleetArb = fc
    .array(
      fc.record({
        n: fc.integer({ min: 1, max: 40 }),
        state: fc.constantFrom(...INSTANCE_STATES),
        name: fc.option(fc.constantFrom('web', 'db', 'api', ''), { nil: undefined }),
        tag: fc.option(fc.oneof(fc.string(), fc.constantFrom('0,0', '1,2', '3,3', '2,1')), {
          nil: undefined,
        }),
        sinceMs: fc.integer({ min: 0, max: 2 * DEFAULT_GRACE_MS }),
      }),
      { maxLength: 30 },
    )
    .map((items) =>
      fleetOf(
        ...items.map(({ n, state, name, tag, sinceMs }) =>
          instance(n, 'running', undefined, {
            state: state as InstanceState,
            name,
            sinceMs,
            tags: tag === undefined ? {} : { 'ec2led:pixel': tag },
          }),
        ),
      ),
    );

  it('never puts two instances on one pixel or off the board, counts every instance left out, and is stable', () => {
    fc.assert(
      fc.property(
        fleetArb,
        fleetArb,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (before, after, width, height) => {
          const nowMs = DEFAULT_GRACE_MS;
          const pins = { web: '1,0', [id(3)]: '0,0' };
          const first = assignSlots({
            fleet: before,
            previous: new Map(),
            width,
            height,
            pins,
            nowMs,
            listed: true,
          });
          const second = assignSlots({
            fleet: after,
            previous: first.slots,
            width,
            height,
            pins,
            nowMs,
            listed: true,
          });
          for (const layout of [first, second]) {
            const keys = [...layout.slots.values()].map((p) => `${p.x},${p.y}`);
            expect(new Set(keys).size).toBe(keys.length);
            for (const p of layout.slots.values()) expect(p.x < width && p.y < height).toBe(true);
            if (layout.overflowPixel !== undefined) expect(keys).not.toContain(`${width - 1},${height - 1}`);
            // The indicator shows exactly when someone is left out.
            expect(layout.overflowPixel !== undefined).toBe(layout.overflow > 0);
          }
          const live = [...after.values()].filter((i) => i.state !== 'terminated');
          expect(second.overflow).toBe(live.filter((i) => !second.slots.has(i.id)).length);
          // Laying out the same fleet again moves nobody.
          const third = assignSlots({
            fleet: after,
            previous: second.slots,
            width,
            height,
            pins,
            nowMs,
            listed: true,
          });
          expect(sameSlots(third.slots, second.slots)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
