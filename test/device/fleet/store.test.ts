import { describe, expect, it } from 'vitest';
import type { ItemDetails, Snapshot } from '../../../device/fleet/item.ts';
import {
  applyChange,
  applyChanges,
  applyDetails,
  EMPTY_FLEET,
  type Fleet,
  isTombstoned,
  replaceWithSnapshot,
} from '../../../device/fleet/store.ts';
import { change, listed } from '../../kit/builders.ts';

const WEB = 'i-00000001';
const DB = 'i-00000002';

function snapshot(startedAtMs: number, ...instances: ItemDetails[]): Snapshot {
  return { startedAtMs, items: instances };
}

const states = (fleet: Fleet) => Object.fromEntries([...fleet].map(([id, i]) => [id, i.state]));

describe('applyChange', () => {
  it('adds an unknown instance with no name and no tags until it is described', () => {
    const fleet = applyChange(EMPTY_FLEET, change(WEB, 'pending', 1000), 1500);
    expect(fleet.get(WEB)).toEqual({
      kind: 'instance',
      id: WEB,
      state: 'pending',
      timeMs: 1000,
      sinceMs: 1500,
      region: 'us-east-1',
      account: '111111111111',
      name: undefined,
      tags: {},
      listed: false,
    });
  });

  it('replaces an older state and moves sinceMs to the time it was seen', () => {
    const pending = applyChange(EMPTY_FLEET, change(WEB, 'pending', 1000), 1500);
    const running = applyChange(pending, change(WEB, 'running', 9000), 9400);
    expect(running.get(WEB)).toMatchObject({ state: 'running', timeMs: 9000, sinceMs: 9400 });
  });

  it('drops a change older than the stored one and returns the same fleet', () => {
    const running = applyChange(EMPTY_FLEET, change(WEB, 'running', 9000), 9400);
    expect(applyChange(running, change(WEB, 'pending', 1000), 9500)).toBe(running);
  });

  it('returns the same fleet for a duplicate', () => {
    const running = applyChange(EMPTY_FLEET, change(WEB, 'running', 9000), 9400);
    expect(applyChange(running, change(WEB, 'running', 9000), 9999)).toBe(running);
  });

  it('keeps sinceMs when a newer change repeats the same state', () => {
    const first = applyChange(EMPTY_FLEET, change(WEB, 'running', 9000), 9400);
    const again = applyChange(first, change(WEB, 'running', 20_000), 20_100);
    expect(again.get(WEB)).toMatchObject({ state: 'running', timeMs: 20_000, sinceMs: 9400 });
  });

  it('breaks a same-second tie by lifecycle rank', () => {
    const stopped = applyChange(EMPTY_FLEET, change(WEB, 'stopped', 5000), 5100);
    expect(applyChange(stopped, change(WEB, 'stopping', 5000), 5200)).toBe(stopped);
  });

  it('never leaves terminated, even for a later change', () => {
    const gone = applyChange(EMPTY_FLEET, change(WEB, 'terminated', 5000), 5100);
    expect(applyChange(gone, change(WEB, 'running', 60_000), 60_100)).toBe(gone);
  });

  it('lets a listed state give way only to a change stamped after the listing, terminated included', () => {
    const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot(10_000, listed(WEB, 'running')), 10_500);
    expect(applyChange(fleet, change(WEB, 'terminated', 1000), 11_000)).toBe(fleet);
    expect(applyChange(fleet, change(WEB, 'stopping', 9000), 11_000)).toBe(fleet);
    expect(applyChange(fleet, change(WEB, 'terminated', 11_000), 11_000).get(WEB)).toMatchObject({
      state: 'terminated',
      listed: false,
    });
  });

  it('does not mutate the fleet it was given', () => {
    const before = applyChange(EMPTY_FLEET, change(WEB, 'pending', 1000), 1000);
    applyChange(before, change(WEB, 'running', 2000), 2000);
    applyChange(before, change(DB, 'running', 2000), 2000);
    expect(states(before)).toEqual({ [WEB]: 'pending' });
  });

  it('sets name and tags from details even when the state does not move', () => {
    const fleet = applyChange(EMPTY_FLEET, change(WEB, 'running', 9000), 9400);
    const named = applyChange(fleet, change(WEB, 'pending', 1000), 9500, {
      name: 'web',
      tags: { Name: 'web' },
    });
    expect(named.get(WEB)).toMatchObject({ state: 'running', name: 'web', tags: { Name: 'web' } });
  });
});

describe('applyChanges', () => {
  it('ends where applying the changes one by one ends', () => {
    const changes = [change(WEB, 'running', 3000), change(WEB, 'pending', 1000), change(DB, 'stopped', 2000)];
    const oneByOne = changes.reduce((fleet, c) => applyChange(fleet, c, 5000), EMPTY_FLEET);
    expect(applyChanges(EMPTY_FLEET, changes, 5000)).toEqual(oneByOne);
  });

  it('returns the same fleet when no change applies', () => {
    const fleet = applyChange(EMPTY_FLEET, change(WEB, 'running', 3000), 3000);
    expect(applyChanges(fleet, [change(WEB, 'pending', 1000)], 5000)).toBe(fleet);
  });
});

describe('replaceWithSnapshot', () => {
  it('replaces only its slice: a listing of some kinds leaves every other kind as it was', () => {
    const probe: ItemDetails = {
      kind: 'probe',
      id: 'probe:www',
      state: 'up',
      region: 'desk',
      account: 'desk',
      name: 'www',
      tags: {},
    };
    const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot(1_000, listed(WEB), listed(DB), probe), 1_000);
    // A probe round (its slice) that no longer has the probe: the instances stay.
    const probes = replaceWithSnapshot(fleet, { startedAtMs: 2_000, kinds: ['probe'], items: [] }, 2_000);
    expect(states(probes)).toEqual({ [WEB]: 'running', [DB]: 'running' });
    // An EC2 listing (its slice) without DB: DB goes, the probe stays, untouched.
    const ec2 = replaceWithSnapshot(
      fleet,
      { startedAtMs: 3_000, kinds: ['instance'], items: [listed(WEB)] },
      3_000,
    );
    expect(states(ec2)).toEqual({ [WEB]: 'running', 'probe:www': 'up' });
    expect(ec2.get('probe:www')).toBe(fleet.get('probe:www'));
  });

  it('takes the listed state at the listing start, with name and tags', () => {
    const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot(10_000, listed(WEB, 'running', 'web')), 12_000);
    expect(fleet.get(WEB)).toEqual({
      kind: 'instance',
      id: WEB,
      state: 'running',
      timeMs: 10_000,
      sinceMs: 12_000,
      region: 'us-east-1',
      account: '111111111111',
      name: 'web',
      tags: { Name: 'web' },
      listed: true,
    });
  });

  it('drops a change older than the snapshot', () => {
    const stale = applyChange(EMPTY_FLEET, change(WEB, 'stopped', 4000), 4000);
    const fleet = replaceWithSnapshot(stale, snapshot(10_000, listed(WEB, 'running')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ state: 'running', timeMs: 10_000, sinceMs: 12_000 });
  });

  it('takes the listed state over a stored change in another state, even a newer one', () => {
    // What arrived after the listing started is sync.ts's to replay; what is stored came before it.
    const newer = applyChange(EMPTY_FLEET, change(WEB, 'stopping', 11_000), 11_000);
    const fleet = replaceWithSnapshot(newer, snapshot(10_000, listed(WEB, 'running', 'web')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ state: 'running', timeMs: 10_000, name: 'web', listed: true });
  });

  it('replaces a terminated change when the listing shows the instance alive (ids are never reused)', () => {
    const forged = applyChange(EMPTY_FLEET, change(WEB, 'terminated', 1000), 4000);
    const fleet = replaceWithSnapshot(forged, snapshot(10_000, listed(WEB, 'running')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ state: 'running', timeMs: 10_000, listed: true });
  });

  it('replaces a change stamped a year ahead with the listed state', () => {
    const year = 365 * 24 * 3600 * 1000;
    const forged = applyChange(EMPTY_FLEET, change(WEB, 'stopped', 4000 + year), 4000);
    const fleet = replaceWithSnapshot(forged, snapshot(10_000, listed(WEB, 'running')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ state: 'running', timeMs: 10_000 });
  });

  it('keeps the later stamp of a stored change that the listing confirms', () => {
    const stopped = applyChange(EMPTY_FLEET, change(WEB, 'stopped', 11_000), 11_000);
    const fleet = replaceWithSnapshot(stopped, snapshot(10_000, listed(WEB, 'stopped', 'web')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ state: 'stopped', timeMs: 11_000, name: 'web', listed: false });
    // A same-second change of lower rank, arriving later, still loses to it.
    expect(applyChange(fleet, change(WEB, 'stopping', 11_000), 12_500).get(WEB)?.state).toBe('stopped');
  });

  it('keeps terminated when the listing also says terminated', () => {
    const gone = applyChange(EMPTY_FLEET, change(WEB, 'terminated', 4000), 4000);
    const fleet = replaceWithSnapshot(gone, snapshot(10_000, listed(WEB, 'terminated')), 12_000);
    expect(fleet.get(WEB)?.state).toBe('terminated');
  });

  it('keeps sinceMs when the listing confirms the stored state', () => {
    const running = applyChange(EMPTY_FLEET, change(WEB, 'running', 4000), 4500);
    const fleet = replaceWithSnapshot(running, snapshot(10_000, listed(WEB, 'running')), 12_000);
    expect(fleet.get(WEB)).toMatchObject({ timeMs: 10_000, sinceMs: 4500 });
  });

  it('removes an instance the listing no longer returns (tombstone)', () => {
    const both = applyChanges(
      EMPTY_FLEET,
      [change(WEB, 'running', 1000), change(DB, 'terminated', 1000)],
      1000,
    );
    const fleet = replaceWithSnapshot(both, snapshot(10_000, listed(WEB, 'running')), 12_000);
    expect(states(fleet)).toEqual({ [WEB]: 'running' });
  });

  it('returns the same fleet when the listing changes nothing', () => {
    const first = replaceWithSnapshot(EMPTY_FLEET, snapshot(10_000, listed(WEB, 'running', 'web')), 10_500);
    const again = replaceWithSnapshot(first, snapshot(10_000, listed(WEB, 'running', 'web')), 20_500);
    expect(again).toBe(first);
  });

  it('applies a duplicated listed id through the same rule', () => {
    const fleet = replaceWithSnapshot(
      EMPTY_FLEET,
      snapshot(10_000, listed(WEB, 'running'), listed(WEB, 'pending')),
      10_500,
    );
    expect(fleet.get(WEB)?.state).toBe('running');
  });
});

describe('applyDetails', () => {
  it('sets the Name and tags learned later', () => {
    const fleet = applyChange(EMPTY_FLEET, change(WEB, 'pending', 1000), 1000);
    const named = applyDetails(fleet, [
      { ...listed(WEB, 'running', 'web'), tags: { Name: 'web', 'ec2led:pixel': '0,0' } },
    ]);
    expect(named.get(WEB)).toMatchObject({ state: 'pending', name: 'web', tags: { 'ec2led:pixel': '0,0' } });
  });

  it('ignores an instance the fleet does not hold', () => {
    expect(applyDetails(EMPTY_FLEET, [listed(WEB, 'running', 'web')])).toBe(EMPTY_FLEET);
  });

  it('returns the same fleet when nothing is new', () => {
    const fleet = replaceWithSnapshot(EMPTY_FLEET, snapshot(10_000, listed(WEB, 'running', 'web')), 10_500);
    expect(applyDetails(fleet, [listed(WEB, 'running', 'web')])).toBe(fleet);
  });
});

describe('isTombstoned', () => {
  const fleet = applyChange(EMPTY_FLEET, change(WEB, 'running', 1000), 1000);

  it('tombstones a late change for an instance the last listing did not return', () => {
    expect(isTombstoned(fleet, change(DB, 'terminated', 9000), 10_000)).toBe(true);
    expect(isTombstoned(fleet, change(DB, 'terminated', 10_000), 10_000)).toBe(true);
  });

  it('accepts a change newer than the listing: the instance appeared after it', () => {
    expect(isTombstoned(fleet, change(DB, 'pending', 11_000), 10_000)).toBe(false);
  });

  it('accepts any change for an instance the fleet holds, and anything before the first listing', () => {
    expect(isTombstoned(fleet, change(WEB, 'stopped', 500), 10_000)).toBe(false);
    expect(isTombstoned(fleet, change(DB, 'stopped', 500), undefined)).toBe(false);
  });
});
