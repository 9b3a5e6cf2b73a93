import { describe, expect, it } from 'vitest';
import { initialSyncState, type SyncEvent, type SyncState, step } from '../../../device/fleet/sync.ts';
import { listed } from '../../kit/builders.ts';

const half = () => 0.5;
const WEB = 'i-00000001';
const DB = 'i-00000002';

function run(events: readonly [number, SyncEvent][], state: SyncState = initialSyncState()) {
  let last: readonly unknown[] = [];
  for (const [nowMs, event] of events) {
    const out = step(state, event, nowMs, half);
    state = out.state;
    last = out.commands;
  }
  return { state, last };
}

const SYNCED: [number, SyncEvent][] = [
  [0, { type: 'connected', rejoined: false, first: true }],
  [20, { type: 'subscribed' }],
  [
    1500,
    {
      type: 'listed',
      snapshot: {
        startedAtMs: 1000,
        items: [listed(WEB, 'running', 'web'), listed(DB, 'running', 'db')],
      },
    },
  ],
];

describe('sync: settings changed at run time', () => {
  it('re-arms the resync timer with a new period', () => {
    const { state, last } = run([
      ...SYNCED,
      [2000, { type: 'settings', resyncMs: 60_000, tagFiltered: false, relist: false }],
    ]);
    expect(last).toEqual([{ type: 'schedule-resync', afterMs: 60_000 }]);
    expect(state.resyncMs).toBe(60_000);
  });

  it('relists at once for a new tag filter, and the listing removes what the filter leaves out', () => {
    const settings: SyncEvent = { type: 'settings', resyncMs: 15 * 60_000, tagFiltered: true, relist: true };
    const after = run([...SYNCED, [2000, settings]]);
    expect(after.last).toEqual([{ type: 'list', afterMs: 0 }]);
    expect(after.state.tagFiltered).toBe(true);
    const relisted = run(
      [[2500, { type: 'listed', snapshot: { startedAtMs: 2000, items: [listed(WEB, 'running', 'web')] } }]],
      after.state,
    );
    expect([...relisted.state.fleet.keys()]).toEqual([WEB]);
  });

  it('supersedes a listing in flight, whose answer is for the old filter', () => {
    const listing: [number, SyncEvent][] = [...SYNCED, [2000, { type: 'resync-due' }]];
    const { last, state } = run([
      ...listing,
      [2100, { type: 'settings', resyncMs: 900_000, tagFiltered: true, relist: true }],
    ]);
    expect(last).toEqual([
      { type: 'cancel-list', reason: 'settings' },
      { type: 'list', afterMs: 0 },
    ]);
    expect(state.listing).toEqual({ connection: 1, startsAtMs: 2100 });
  });

  it('lists on the next connection, not now, while disconnected', () => {
    const { last, state } = run([
      ...SYNCED,
      [2000, { type: 'disconnected' }],
      [2100, { type: 'settings', resyncMs: 900_000, tagFiltered: true, relist: true }],
    ]);
    expect(last).toEqual([]);
    expect(state.tagFiltered).toBe(true);
  });
});
