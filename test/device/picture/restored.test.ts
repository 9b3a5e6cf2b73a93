/**
 * A fleet restored from the state directory shows stale (dimmed) until something confirms it: a live
 * change for one instance, or the first listing for all. Level-based: the listing remains the truth.
 */
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../device/fleet/item.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import { initialSyncState, step } from '../../../device/fleet/sync.ts';
import { DISCONNECTED_DIM } from '../../../device/picture/animate.ts';
import { DEFAULT_PALETTE, scaleColor } from '../../../device/picture/palette.ts';
import { composePicture } from '../../../device/picture/picture.ts';

const WEB: Item = {
  kind: 'instance',
  id: 'i-00000001',
  state: 'running',
  timeMs: 1_000,
  sinceMs: 1_000,
  region: 'eu-west-1',
  account: '123456789012',
  name: 'web',
  tags: {},
  listed: true,
};
const DB: Item = { ...WEB, id: 'i-00000002', state: 'stopped', name: 'db' };
const restored: Fleet = new Map([
  [WEB.id, WEB],
  [DB.id, DB],
]);
const slots = new Map([
  [WEB.id, { x: 0, y: 0 }],
  [DB.id, { x: 1, y: 0 }],
]);
const live = { connected: true, synced: false };

function rgbAt(frame: { rgb: Uint8Array; width: number }, x: number, y: number): number[] {
  const i = (y * frame.width + x) * 3;
  return [...frame.rgb.subarray(i, i + 3)];
}

function picture(fleet: Fleet, listed: boolean) {
  return composePicture({
    fleet,
    slots,
    listed,
    settings: { width: 3, height: 2 },
    status: live,
    nowMs: 2_000,
    restored: listed ? undefined : restored,
  });
}

describe('a restored fleet', () => {
  it('shows every restored instance on its old pixel, dimmed and marked stale, even while connected', () => {
    const shown = picture(restored, false);
    expect(rgbAt(shown.frame, 0, 0)).toEqual(scaleColor(DEFAULT_PALETTE.running, DISCONNECTED_DIM));
    expect(rgbAt(shown.frame, 1, 0)).toEqual(scaleColor(DEFAULT_PALETTE.stopped, DISCONNECTED_DIM));
    expect(shown.legend.pixels[0]?.entry).toMatchObject({ id: WEB.id, stale: true });
    expect(shown.legend.pixels[1]?.entry).toMatchObject({ id: DB.id, stale: true });
  });

  it('shows an instance live again once a live change reached it; the others stay stale', () => {
    let state = initialSyncState({ fleet: restored });
    state = step(state, { type: 'connected', rejoined: false, first: true }, 2_000).state;
    const change = {
      id: WEB.id,
      state: 'stopping',
      timeMs: 1_500,
      region: WEB.region,
      account: WEB.account,
    } as const;
    state = step(state, { type: 'message', change }, 2_000).state;
    const shown = picture(state.fleet, state.listedAtMs !== undefined);
    expect(rgbAt(shown.frame, 0, 0)).toEqual(DEFAULT_PALETTE.stopping);
    expect(shown.legend.pixels[0]?.entry?.stale).toBeUndefined();
    expect(shown.legend.pixels[1]?.entry).toMatchObject({ id: DB.id, stale: true });
  });

  it('is replaced whole by the first listing: what it lacks is gone, the rest shows live', () => {
    let state = initialSyncState({ fleet: restored });
    expect(state.fleet).toBe(restored);
    expect(state.listedAtMs).toBeUndefined();
    const snapshot = {
      startedAtMs: 5_000,
      items: [{ id: DB.id, region: DB.region, account: DB.account, state: 'running', name: 'db', tags: {} }],
    } as const;
    state = step(state, { type: 'listed', snapshot }, 5_100).state;
    expect([...state.fleet.keys()]).toEqual([DB.id]);
    const shown = picture(state.fleet, true);
    expect(rgbAt(shown.frame, 1, 0)).toEqual(DEFAULT_PALETTE.running);
    expect(shown.legend.pixels[1]?.entry?.stale).toBeUndefined();
    expect(shown.legend.pixels[0]?.entry).toBeNull();
  });

  it('is not tombstoned before the first listing: a late message for a restored instance still applies', () => {
    let state = initialSyncState({ fleet: restored });
    const change = {
      id: DB.id,
      state: 'pending',
      timeMs: 1_200,
      region: DB.region,
      account: DB.account,
    } as const;
    state = step(state, { type: 'message', change }, 2_000).state;
    expect(state.fleet.get(DB.id)?.state).toBe('pending');
  });
});
