import { describe, expect, it } from 'vitest';
import type { Change, ItemDetails } from '../../../device/fleet/item.ts';
import {
  initialSyncState,
  MAX_CLOCK_SKEW_MS,
  type SyncCommand,
  type SyncEvent,
  type SyncState,
  step,
} from '../../../device/fleet/sync.ts';
import { change, listed } from '../../kit/builders.ts';

const WEB = 'i-00000001';
const DB = 'i-00000002';
const NEW = 'i-00000003';
const half = () => 0.5;

const connected = (rejoined = false, first = false): SyncEvent => ({ type: 'connected', rejoined, first });
const message = (c: Change): SyncEvent => ({ type: 'message', change: c });
const listedAt = (startedAtMs: number, ...instances: ItemDetails[]): SyncEvent => ({
  type: 'listed',
  snapshot: { startedAtMs, items: instances },
});

/** Feeds timed events in order; returns the final state and the commands of each step. */
function run(events: readonly [number, SyncEvent][], state: SyncState = initialSyncState()) {
  const commands: SyncCommand[][] = [];
  for (const [nowMs, event] of events) {
    const out = step(state, event, nowMs, half);
    state = out.state;
    commands.push([...out.commands]);
  }
  return { state, commands, last: commands.at(-1) ?? [] };
}

const states = (state: SyncState) => Object.fromEntries([...state.fleet].map(([id, i]) => [id, i.state]));

/** Connected, subscribed and listed once at 1000 with WEB running. */
const SYNCED: [number, SyncEvent][] = [
  [0, connected(false, true)],
  [20, { type: 'subscribed' }],
  [1500, listedAt(1000, listed(WEB, 'running', 'web'))],
];

describe('sync: connecting', () => {
  it('subscribes on the first connection and lists only after the SUBACK', () => {
    const { commands, state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
    ]);
    expect(commands[0]).toEqual([{ type: 'subscribe' }, { type: 'render' }]);
    expect(commands[1]).toEqual([{ type: 'list', afterMs: 0 }]);
    expect(state).toMatchObject({ connected: true, synced: false });
  });

  it('subscribes on the first connection even when the broker says the session was rejoined', () => {
    expect(run([[0, connected(true, true)]]).last).toContainEqual({ type: 'subscribe' });
  });

  it('becomes synced when the listing is applied, and arms the resync timer', () => {
    const { state, last } = run(SYNCED);
    expect(last).toEqual([{ type: 'schedule-resync', afterMs: 15 * 60_000 }, { type: 'render' }]);
    expect(state.synced).toBe(true);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });

  it('resubscribes after a reconnection whose session was not rejoined (the SDK never does)', () => {
    const { last } = run([...SYNCED, [5000, { type: 'disconnected' }], [6000, connected(false)]]);
    expect(last).toEqual([{ type: 'subscribe' }, { type: 'render' }]);
  });

  it('relists at once, without subscribing, when the session was rejoined', () => {
    const { last, state } = run([...SYNCED, [5000, { type: 'disconnected' }], [6000, connected(true)]]);
    expect(last).toEqual([{ type: 'list', afterMs: 0 }, { type: 'render' }]);
    expect(state).toMatchObject({ connected: true, synced: false });
  });

  it('resubscribes on a rejoined session when the last subscribe was never acknowledged', () => {
    const { last } = run([
      [0, connected(false, true)],
      [10, { type: 'disconnected' }],
      [900, connected(true)],
    ]);
    expect(last).toContainEqual({ type: 'subscribe' });
  });

  it('shows disconnected and not synced while the feed is down', () => {
    const { state, last } = run([...SYNCED, [5000, { type: 'disconnected' }]]);
    expect(state).toMatchObject({ connected: false, synced: false });
    expect(last).toEqual([{ type: 'render' }]);
  });

  it('ignores a SUBACK that arrives after the connection dropped', () => {
    const { last } = run([
      [0, connected(false, true)],
      [10, { type: 'disconnected' }],
      [20, { type: 'subscribed' }],
    ]);
    expect(last).toEqual([]);
  });
});

describe('sync: listing', () => {
  it('supersedes a listing issued before a reconnect: cancels it and lists again at once', () => {
    const { commands, state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }], // list #1, hangs
      [100, { type: 'disconnected' }],
      [200, connected(true)], // rejoined: #1 is cancelled, #2 issued
      [900, listedAt(250, listed(WEB, 'running', 'web'))],
    ]);
    expect(commands[3]).toEqual([
      { type: 'cancel-list', reason: 'reconnected' },
      { type: 'list', afterMs: 0 },
      { type: 'render' },
    ]);
    expect(state.synced).toBe(true);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });

  it('supersedes an outstanding listing on a fresh session too, and lists after the new SUBACK', () => {
    const { commands, state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }], // list #1, hangs
      [100, { type: 'disconnected' }],
      [200, connected(false)],
      [220, { type: 'subscribed' }],
    ]);
    expect(commands[3]).toEqual([
      { type: 'cancel-list', reason: 'reconnected' },
      { type: 'subscribe' },
      { type: 'render' },
    ]);
    expect(commands[4]).toEqual([{ type: 'list', afterMs: 0 }]);
    expect(state.listing).toEqual({ connection: 2, startsAtMs: 220 });
  });

  it('lets resync-due supersede a listing that has run for a whole resync period', () => {
    const due: SyncEvent = { type: 'resync-due' };
    const hung: [number, SyncEvent][] = [...SYNCED, [900_000, due]]; // list #2 at 900 000, hangs
    expect(run([...hung, [1_799_999, due]]).last).toEqual([]);
    const { last, state } = run([...hung, [1_800_000, due]]);
    expect(last).toEqual([
      { type: 'cancel-list', reason: 'stuck' },
      { type: 'list', afterMs: 0 },
    ]);
    expect(state.listing).toEqual({ connection: 1, startsAtMs: 1_800_000 });
  });

  it('counts a retried listing from when it starts, not from when it was scheduled', () => {
    const failed: SyncEvent = { type: 'list-failed', throttled: true, reason: 'RequestLimitExceeded' };
    const { state } = run([...SYNCED, [900_000, { type: 'resync-due' }], [900_100, failed]]);
    expect(state.listing).toEqual({ connection: 1, startsAtMs: 900_100 + 5000 });
  });

  it('retries a failed listing with full jitter, growing with each failure', () => {
    const failed: SyncEvent = { type: 'list-failed', throttled: false, reason: 'socket hang up' };
    const { commands } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [100, failed],
      [700, failed],
      [2000, failed],
    ]);
    expect(commands.slice(2).map((c) => c[0])).toEqual([
      { type: 'list', afterMs: 500 },
      { type: 'list', afterMs: 1000 },
      { type: 'list', afterMs: 2000 },
    ]);
  });

  it('backs off longer when EC2 throttles (RequestLimitExceeded)', () => {
    const { last } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [100, { type: 'list-failed', throttled: true, reason: 'RequestLimitExceeded' }],
    ]);
    expect(last).toEqual([{ type: 'list', afterMs: 5000 }]);
  });

  it('does not retry a failed listing while disconnected: the reconnection lists', () => {
    const { commands } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [100, { type: 'disconnected' }],
      [200, { type: 'list-failed', throttled: false, reason: 'network down' }],
      [5000, connected(true)],
    ]);
    expect(commands[3]).toEqual([]);
    expect(commands[4]).toEqual([{ type: 'list', afterMs: 0 }, { type: 'render' }]);
  });

  it('relists on resync-due, but not while a listing is outstanding or the feed is down', () => {
    const due: SyncEvent = { type: 'resync-due' };
    expect(run([...SYNCED, [900_000, due]]).last).toEqual([{ type: 'list', afterMs: 0 }]);
    expect(run([...SYNCED, [900_000, due], [900_001, due]]).last).toEqual([]);
    expect(run([...SYNCED, [5000, { type: 'disconnected' }], [900_000, due]]).last).toEqual([]);
  });

  it('removes an instance that vanished while disconnected (tombstone)', () => {
    const { state } = run([
      ...SYNCED,
      [2000, message(change(DB, 'terminated', 2000))],
      [5000, { type: 'disconnected' }],
      [9000, connected(true)],
      [9500, listedAt(9000, listed(WEB, 'running', 'web'))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });
});

describe('sync: live changes', () => {
  it('applies a live change at once, also while a listing is outstanding', () => {
    const { state, last } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [500, message(change(WEB, 'stopping', 500))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'stopping' });
    expect(last).toContainEqual({ type: 'render' });
  });

  it('replays a change newer than the listing over it', () => {
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }], // the listing starts at 1000 ...
      [1200, message(change(WEB, 'stopping', 1200))], // ... this happens while it runs ...
      [1500, listedAt(1000, listed(WEB, 'running', 'web'))], // ... and it still shows running
    ]);
    expect(state.fleet.get(WEB)).toMatchObject({ state: 'stopping', name: 'web' });
  });

  it('keeps an instance launched while listing, which the listing missed', () => {
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [1200, message(change(NEW, 'pending', 1200))],
      [1500, listedAt(1000, listed(WEB, 'running', 'web'))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'running', [NEW]: 'pending' });
  });

  it('drops a change older than the snapshot', () => {
    const { state, last } = run([...SYNCED, [2000, message(change(WEB, 'stopped', 500))]]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
    expect(last).toEqual([]);
  });

  it('drops a late echo of an instance the listing no longer returned', () => {
    const { state, last } = run([...SYNCED, [2000, message(change(DB, 'terminated', 900))]]);
    expect(state.fleet.has(DB)).toBe(false);
    expect(last).toEqual([]);
  });

  it('never shows a terminated instance again, whatever arrives later', () => {
    const { state } = run([
      ...SYNCED,
      [2000, message(change(WEB, 'terminated', 2000))],
      [3000, message(change(WEB, 'running', 3000))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'terminated' });
  });
});

describe('sync: describing new instances', () => {
  it('describes an instance first seen live, at once, then at most once a second per region', () => {
    const { commands } = run([
      ...SYNCED,
      [2000, message(change(NEW, 'pending', 2000))],
      [2100, message(change(DB, 'pending', 2000))],
      [2200, message(change('i-00000004', 'pending', 2000, { region: 'eu-west-1' }))],
    ]);
    expect(commands[3]).toEqual([{ type: 'describe', region: 'us-east-1', ids: [NEW] }, { type: 'render' }]);
    expect(commands[4]).toEqual([
      { type: 'schedule-describe', region: 'us-east-1', afterMs: 900 },
      { type: 'render' },
    ]);
    expect(commands[5]).toEqual([
      { type: 'describe', region: 'eu-west-1', ids: ['i-00000004'] },
      { type: 'render' },
    ]);
  });

  it('sends the coalesced ids when the describe timer fires', () => {
    const { last } = run([
      ...SYNCED,
      [2000, message(change(NEW, 'pending', 2000))],
      [2100, message(change(DB, 'pending', 2000))],
      [2300, message(change('i-00000004', 'pending', 2000))],
      [3000, { type: 'describe-due', region: 'us-east-1' }],
    ]);
    expect(last).toEqual([{ type: 'describe', region: 'us-east-1', ids: [DB, 'i-00000004'] }]);
  });

  it('does not describe an instance the listing already named', () => {
    const { last } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [30, message(change(NEW, 'pending', 30))], // described at once
      [40, message(change(DB, 'pending', 40))], // queued
      [500, listedAt(25, listed(DB, 'pending', 'db'), listed(NEW, 'pending', 'new'))],
      [1030, { type: 'describe-due', region: 'us-east-1' }],
    ]);
    expect(last).toEqual([]);
  });

  it('names an instance when described, and leaves a failed describe to the next listing', () => {
    const details = { ...listed(NEW, 'pending', 'new'), tags: { Name: 'new', 'ec2led:pixel': '3,4' } };
    const named = run([
      ...SYNCED,
      [2000, message(change(NEW, 'pending', 2000))],
      [2100, { type: 'described', ids: [NEW], details: [details] }],
    ]);
    expect(named.state.fleet.get(NEW)).toMatchObject({ name: 'new', tags: { 'ec2led:pixel': '3,4' } });
    expect(named.last).toEqual([{ type: 'render' }]);
    const failed = run([
      ...SYNCED,
      [2000, message(change(NEW, 'pending', 2000))],
      [2100, { type: 'describe-failed', region: 'us-east-1', ids: [NEW], reason: 'AccessDenied' }],
    ]);
    expect(failed.last).toEqual([]);
  });

  it('relists when a tag-filtered describe leaves an id out (it lacks the tag), and only then', () => {
    const filtered = initialSyncState({ tagFiltered: true });
    const left = run(
      [
        ...SYNCED,
        [2000, message(change(NEW, 'pending', 2000))],
        [2100, { type: 'described', ids: [NEW], details: [] }],
      ],
      filtered,
    );
    expect(left.last).toEqual([{ type: 'list', afterMs: 0 }]);
    const unfiltered = run([
      ...SYNCED,
      [2000, message(change(NEW, 'pending', 2000))],
      [2100, { type: 'described', ids: [NEW], details: [] }],
    ]);
    expect(unfiltered.last).toEqual([]);
  });
});

describe('initialSyncState', () => {
  it('takes the resync period in minutes, fractions allowed', () => {
    expect(initialSyncState({ resyncMinutes: 0.5 }).resyncMs).toBe(30_000);
  });

  it('refuses a resync period that is not a positive number, naming the fix', () => {
    expect(() => initialSyncState({ resyncMinutes: 0 })).toThrow(/resyncMinutes 0 .*use 15/);
  });
});

describe('sync: the one-second granularity of event times', () => {
  it('shows a change from the same second as the listing start, which the listing may have missed', () => {
    // Listing starts at 5.400 s; EC2 stops WEB at 5.700 s and EventBridge says "5 s".
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [5900, listedAt(5400, listed(WEB, 'running', 'web'))],
      [6000, message(change(WEB, 'stopping', 5000))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'stopping' });
  });

  it('still ignores a change from a second before the listing started', () => {
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [5900, listedAt(5400, listed(WEB, 'running', 'web'))],
      [6000, message(change(WEB, 'stopping', 4000))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });

  it('does not bring back an instance the listing lacks for a same-second change', () => {
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [5900, listedAt(5400, listed(WEB, 'running', 'web'))],
      [6000, message(change(DB, 'stopping', 5000))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });
});

describe('sync: a message never outranks the listing for long', () => {
  const YEAR_MS = 365 * 24 * 3600 * 1000;

  it('drops and counts a change stamped beyond the clock plus the skew, and says so', () => {
    const forged = change(WEB, 'stopped', 2000 + YEAR_MS);
    const { state, last } = run([...SYNCED, [2000, message(forged)]]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
    expect(state.futureDropped).toBe(1);
    expect(last).toEqual([{ type: 'dropped', reason: 'clock-ahead', change: forged, aheadMs: YEAR_MS }]);
  });

  it('still applies a change stamped ahead by no more than the skew (a clock a little behind)', () => {
    const { state } = run([...SYNCED, [2000, message(change(WEB, 'stopping', 2000 + MAX_CLOCK_SKEW_MS))]]);
    expect(states(state)).toEqual({ [WEB]: 'stopping' });
    expect(state.futureDropped).toBe(0);
  });

  it('lets real changes through again once the next listing replaced a change stamped within the skew', () => {
    const { state } = run([
      ...SYNCED,
      [2000, message(change(WEB, 'stopped', 50_000))], // forged, 48 s ahead: within the skew
      [3000, message(change(WEB, 'stopping', 3000))], // real, but older than the forgery: held back
      [4000, { type: 'resync-due' }],
      [4500, listedAt(4000, listed(WEB, 'stopping', 'web'))],
      [6000, message(change(WEB, 'stopped', 6000))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'stopped' });
    expect(state.fleet.get(WEB)?.timeMs).toBe(6000);
  });

  it('brings back an instance a forged early terminated message removed, at the next listing', () => {
    const { state } = run([
      ...SYNCED,
      [2000, message(change(WEB, 'terminated', 1000))],
      [3000, { type: 'resync-due' }],
      [3500, listedAt(3000, listed(WEB, 'running', 'web'))],
    ]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
  });

  it('does not let a terminated message older than the listing undo it', () => {
    const { state, last } = run([...SYNCED, [2000, message(change(WEB, 'terminated', 0))]]);
    expect(states(state)).toEqual({ [WEB]: 'running' });
    expect(last).toEqual([]);
  });

  it('replays only what arrived after the listing started, not what arrived during its backoff', () => {
    const { state } = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [100, { type: 'list-failed', throttled: false, reason: 'fake' }], // retried after the backoff
      [200, message(change(WEB, 'terminated', 300_000))], // forged, arrives before the retry starts
      [5000, listedAt(5000, listed(WEB, 'running', 'web'))],
    ]);
    // 300 s is beyond the skew at 200 ms: dropped at once; the listing shows what is true.
    expect(states(state)).toEqual({ [WEB]: 'running' });
    const backoff = run([
      [0, connected(false, true)],
      [20, { type: 'subscribed' }],
      [100, { type: 'list-failed', throttled: false, reason: 'fake' }],
      [200, message(change(WEB, 'terminated', 30_000))], // within the skew, before the retry starts
    ]);
    const startsAtMs = backoff.state.listing?.startsAtMs ?? 0;
    expect(startsAtMs).toBeGreaterThan(200);
    const after = run(
      [[startsAtMs + 500, listedAt(startsAtMs, listed(WEB, 'running', 'web'))]],
      backoff.state,
    );
    expect(states(after.state)).toEqual({ [WEB]: 'running' });
  });
});
