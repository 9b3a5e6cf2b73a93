/**
 * List-then-watch, as a pure state machine: `step(state, event, nowMs, random) -> { state, commands }`.
 * The agent feeds it what happened (MQTT connection events, decoded live changes, listing and
 * describe results, timers) and carries out the commands (subscribe, list, describe, arm a timer,
 * render). The agent decides nothing itself.
 *
 * Contract:
 * - Eventually consistent. Live changes are hints; a listing (DescribeInstances) is the truth. After
 *   the last change, once the feed is connected and one listing has completed, the fleet holds
 *   exactly the listed instances, each in its latest state.
 * - Per-instance states are shown in order: every change, live or replayed, goes through its kind's
 *   one rule (order.ts: `supersedes` for instances, the state's time for alarms), so an instance never
 *   steps back to an older state and never leaves `terminated`. Different instances are not ordered
 *   against each other.
 * - Kinds: every kind (kinds/kinds.ts) follows exactly these rules, each by its spec's ordering;
 *   only a kind whose spec says `describes` is described when first seen (the others' changes
 *   carry their name). A listing is the truth for its slice (`Snapshot.kinds`: the `list` command
 *   lists the instances, and the alarms with config `alarms`) and leaves every other kind as it is;
 *   a source that lists its own slice on its own rhythm (the desk probes, sources/item-source.ts)
 *   sends `slice`, which replaces that slice at once and touches nothing else.
 * - A listing is the truth at its start. Live changes are applied at once (the board stays live
 *   while a listing runs); those received while a listing runs are remembered per instance, newest
 *   only, and replayed over it when it is applied. Everything received before the listing started is
 *   replaced by it, whatever its stamp: a message stamped in the future or a `terminated` for an
 *   instance the listing shows alive cannot outlive the next listing (store.ts `overrides`). An
 *   instance missing from the listing is dropped unless a change newer than the listing's start says
 *   otherwise; a change no newer than the last listing, for an instance the fleet does not hold, is a
 *   late echo of a vanished instance and is dropped.
 * - A change stamped more than MAX_CLOCK_SKEW_MS after the local clock is dropped and counted
 *   (`futureDropped`, and a `dropped` command for the log): EventBridge stamps an event when it
 *   happens and it reaches us later, so only a forged message or a clock that is behind looks like
 *   that. Without the drop one such message would hold its instance against every real change until
 *   the next listing.
 * - Subscribe on the first connection and on every connection whose session was not rejoined (the
 *   SDK never resubscribes; docs/reference/users.md #3), or whose previous subscribe was never acknowledged. List
 *   after the SUBACK (or at once on a rejoined session) on every connection, and on `resync-due`.
 *   At most one listing is outstanding; a failed one is retried with full-jitter backoff while
 *   connected, slower when throttled. A new connection supersedes an outstanding listing (it was
 *   issued on an older one): `cancel-list`, then a fresh listing once subscribed. So does a
 *   `resync-due` that finds a listing running for longer than a resync period. A listing can then
 *   hang only as long as its request timeouts (sources/ec2.ts), never for ever.
 * - An account a listing could not read (`Snapshot.failedAccounts`) keeps its instances as they were
 *   and is in `staleAccounts` until a listing reads it again; live changes for it still apply (no
 *   tombstones for it). The other accounts stay live. A failure for one kind only (its `kind` set:
 *   DescribeAlarms failed, DescribeInstances did not) keeps that kind's things of the account as
 *   they were, without marking the account stale.
 * - `synced` is true only once a listing issued during the current connection has been applied;
 *   `connected` follows the MQTT events. Both reset on `disconnected`.
 *
 * What heals what: a lost, misordered or forged message is healed by the next listing (on reconnect and
 * every `resyncMinutes`); a missed subscription by the resubscribe on the next connection; a failed
 * listing by its retry; a failed describe by the next listing, which carries every Name and tag.
 *
 * - Listed states count as just before the second the listing started in (`listingEventTime`), so a
 *   change stamped with that same second, which the listing may not have seen, still shows.
 *
 * Not guaranteed: EC2's own eventual consistency (a listing may lag a change by seconds) and the
 * one-second blind spot of `supersedes`; both heal at the next relist.
 */

import { DEFAULT_KIND, specOf } from '../kinds/kinds.ts';
import { fullJitterDelay, LIST_BACKOFF, THROTTLED_LIST_BACKOFF } from './backoff.ts';
import {
  type DescribeCommand,
  type DescribeQueue,
  describeDue,
  EMPTY_DESCRIBE_QUEUE,
  enqueueDescribe,
  forgetDescribed,
} from './describe-queue.ts';
import type { Change, ItemDetails, Snapshot } from './item.ts';
import { changeSupersedes } from './order.ts';
import {
  applyChange,
  applyChanges,
  applyDetails,
  EMPTY_FLEET,
  type Fleet,
  isTombstoned,
  replaceWithSnapshot,
} from './store.ts';

/** Default period of the resync listing; README promises "every 15 minutes". */
export const DEFAULT_RESYNC_MINUTES = 15;

/**
 * How far ahead of the local clock a change may be stamped and still count. A synchronized clock
 * (systemd-timesyncd) is within milliseconds and events arrive after they happen; a minute leaves
 * room for a clock that is still settling. A clock further behind sees live changes dropped with a
 * warning naming the clock, and the listings alone keep the board right.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

export type SyncEvent =
  /** MQTT connection success. `rejoined`: the broker resumed the session; `first`: first of the process. */
  | { readonly type: 'connected'; readonly rejoined: boolean; readonly first: boolean }
  | { readonly type: 'disconnected' }
  /** The SUBACK of the last `subscribe`. */
  | { readonly type: 'subscribed' }
  | { readonly type: 'listed'; readonly snapshot: Snapshot }
  /** `throttled`: EC2 answered RequestLimitExceeded. `reason` is for the log. */
  | { readonly type: 'list-failed'; readonly throttled: boolean; readonly reason: string }
  /** A decoded live change. */
  | { readonly type: 'message'; readonly change: Change }
  /**
   * A source that lists its own slice on its own rhythm (the desk probes, a test's kind) listed it:
   * the snapshot (with its `kinds`) replaces that slice of the fleet and nothing else, at once. The
   * outstanding listing, `synced` and the tombstones of the other kinds are not touched.
   */
  | { readonly type: 'slice'; readonly snapshot: Snapshot }
  /** The timer of the last `schedule-resync` fired. */
  | { readonly type: 'resync-due' }
  /** The timer of a `schedule-describe` fired. */
  | { readonly type: 'describe-due'; readonly region: string }
  /** The answer to a `describe` of `ids`: the details of those DescribeInstances returned. */
  | {
      readonly type: 'described';
      readonly ids: readonly string[];
      readonly details: readonly ItemDetails[];
    }
  | {
      readonly type: 'describe-failed';
      readonly region: string;
      readonly ids: readonly string[];
      readonly reason: string;
    }
  /**
   * Settings changed at run time (the settings shadow): the resync period, and whether a tag filter
   * applies. `relist`: what a listing returns changed (a new tag filter), so list again now,
   * superseding a listing in flight, whose answer would be for the old filter.
   */
  | {
      readonly type: 'settings';
      readonly resyncMs: number;
      readonly tagFiltered: boolean;
      readonly relist: boolean;
    };

export type SyncCommand =
  /** Subscribe to the filter (topics.ts `subscriptionFilter`) and report `subscribed` on SUBACK. */
  | { readonly type: 'subscribe' }
  /** After `afterMs` (0: now), list every configured region; report `listed` or `list-failed`. */
  | { readonly type: 'list'; readonly afterMs: number }
  /** Abort the outstanding listing (or its pending retry); it must report nothing afterwards. */
  | { readonly type: 'cancel-list'; readonly reason: 'reconnected' | 'stuck' | 'settings' }
  /** Send `resync-due` after `afterMs`, replacing any resync timer already armed. */
  | { readonly type: 'schedule-resync'; readonly afterMs: number }
  /** Fleet, `connected` or `synced` changed: render (coalesced by the render loop). */
  | { readonly type: 'render' }
  /** A live change was dropped: stamped `aheadMs` after the local clock (for the log, rate-limited). */
  | {
      readonly type: 'dropped';
      readonly reason: 'clock-ahead';
      readonly change: Change;
      readonly aheadMs: number;
    }
  | DescribeCommand;

export interface SyncState {
  readonly fleet: Fleet;
  /** The MQTT connection is up. */
  readonly connected: boolean;
  /** A listing issued during the current connection has been applied. */
  readonly synced: boolean;
  /** Connections so far; tells a listing issued before the last reconnect from a current one. */
  readonly connection: number;
  /** 'confirmed' once a SUBACK came in a session that has been rejoined ever since. */
  readonly subscription: 'none' | 'requested' | 'confirmed';
  /**
   * The outstanding listing (at most one): the connection that issued it, and when it starts (now, or
   * after its backoff delay); changes received from then on are remembered for the replay.
   */
  readonly listing: { readonly connection: number; readonly startsAtMs: number } | undefined;
  /** A listing is wanted as soon as the connection allows and none is outstanding. */
  readonly wantList: boolean;
  /** Failed listings since the last success (the backoff attempt). */
  readonly listFailures: number;
  /** Start of the last applied listing (tombstones). */
  readonly listedAtMs: number | undefined;
  /** Per instance, the newest live change received since the outstanding listing started. */
  readonly buffer: ReadonlyMap<string, Change>;
  /** Changes dropped since start for being stamped beyond the local clock plus MAX_CLOCK_SKEW_MS. */
  readonly futureDropped: number;
  readonly describe: DescribeQueue;
  readonly resyncMs: number;
  /**
   * Accounts the last applied listing could not read, with the reason: their instances are kept as
   * they were, stale, until a listing reads the account again.
   */
  readonly staleAccounts: ReadonlyMap<string, string>;
  /** Only instances with a tag are listed (config `tagFilter`). */
  readonly tagFiltered: boolean;
}

export interface SyncStep {
  readonly state: SyncState;
  readonly commands: readonly SyncCommand[];
}

export interface SyncOptions {
  /** Minutes between resync listings while connected. Default 15; fractions allowed. */
  readonly resyncMinutes?: number;
  /**
   * Only tagged instances are listed (config `tagFilter`). Default false. Then a describe that leaves
   * an id out means the instance lacks the tag (or is not visible yet): relist, so that the listing
   * removes it again as a tombstone, instead of showing it until the next resync.
   */
  readonly tagFiltered?: boolean;
  /**
   * The fleet restored from the state directory (fleet-file.ts). Default empty. A hint: no listing
   * has been applied (`listedAtMs` undefined), so nothing is tombstoned, and the first listing
   * replaces it whole.
   */
  readonly fleet?: Fleet;
}

export function initialSyncState(options: SyncOptions = {}): SyncState {
  const minutes = options.resyncMinutes ?? DEFAULT_RESYNC_MINUTES;
  if (!(Number.isFinite(minutes) && minutes > 0)) {
    throw new Error(`resyncMinutes ${minutes} is not a positive number of minutes; use 15`);
  }
  return {
    fleet: options.fleet ?? EMPTY_FLEET,
    connected: false,
    synced: false,
    connection: 0,
    subscription: 'none',
    listing: undefined,
    wantList: false,
    listFailures: 0,
    listedAtMs: undefined,
    buffer: new Map(),
    futureDropped: 0,
    describe: EMPTY_DESCRIBE_QUEUE,
    resyncMs: Math.round(minutes * 60_000),
    staleAccounts: new Map(),
    tagFiltered: options.tagFiltered ?? false,
  };
}

/** Issues the wanted listing when connected, subscribed and none is outstanding. */
function maybeList(state: SyncState, nowMs: number, commands: SyncCommand[]): SyncState {
  if (!state.wantList || !state.connected || state.subscription !== 'confirmed') return state;
  if (state.listing !== undefined) return state;
  commands.push({ type: 'list', afterMs: 0 });
  return {
    ...state,
    wantList: false,
    listing: { connection: state.connection, startsAtMs: nowMs },
    buffer: new Map(),
  };
}

/**
 * A listed state's place on the event clock. Event times are whole seconds, truncated: a change in
 * the same second as the listing's start may be newer than what the listing saw, so a listed state
 * counts as just before that second. A same-second change then wins over the listed state; at worst
 * it shows a state the listing had already moved past, until that instance's next change arrives.
 * The other way round, a real change would stay hidden until the next resync. Tombstones (instances
 * the listing lacks) keep the exact start: an instance filtered out by a tag is not brought back.
 */
export function listingEventTime(startedAtMs: number): number {
  return Math.floor(startedAtMs / 1000) * 1000 - 1;
}

function onListed(state: SyncState, listing: Snapshot, nowMs: number, commands: SyncCommand[]): SyncState {
  const previous = state.fleet;
  const startedAtMs = listing.startedAtMs;
  const listed = replaceWithSnapshot(
    previous,
    { ...listing, startedAtMs: listingEventTime(startedAtMs) },
    nowMs,
  );
  // Replay what arrived while the listing ran: over a listed instance only what is stamped after the
  // listing (`overrides`); for an instance the listing lacks, only what is newer than its start. An
  // account the listing could not read has no tombstones: everything buffered for it is replayed.
  const failures = listing.failedAccounts ?? [];
  const kindOf = (change: Change) => change.kind ?? DEFAULT_KIND;
  const unread = (change: Change) =>
    failures.some((f) => f.account === change.account && (f.kind ?? kindOf(change)) === kindOf(change));
  // A change of a kind outside the listing's slice was applied live and is left alone by it.
  const outside = (change: Change) => listing.kinds !== undefined && !listing.kinds.includes(kindOf(change));
  const replay = [...state.buffer.values()].filter(
    (change) => !outside(change) && (unread(change) || !isTombstoned(listed, change, startedAtMs)),
  );
  const fleet = applyChanges(listed, replay, nowMs, (id) => (listed.has(id) ? undefined : previous.get(id)));
  const current = state.listing?.connection === state.connection && state.connected;
  if (current) commands.push({ type: 'schedule-resync', afterMs: state.resyncMs });
  const listedIds = new Set(listing.items.map((details) => details.id));
  return maybeList(
    {
      ...state,
      fleet,
      synced: state.synced || current,
      listing: undefined,
      listFailures: 0,
      listedAtMs: startedAtMs,
      buffer: new Map(),
      // Only an account read for no kind is stale; one kind unread (alarms) is logged by the source.
      staleAccounts: new Map(failures.filter((f) => f.kind === undefined).map((f) => [f.account, f.reason])),
      describe: forgetDescribed(state.describe, (id) => listedIds.has(id) || !fleet.has(id)),
    },
    nowMs,
    commands,
  );
}

function onListFailed(
  state: SyncState,
  throttled: boolean,
  nowMs: number,
  random: () => number,
  commands: SyncCommand[],
): SyncState {
  const failures = state.listFailures + 1;
  // Not connected, or waiting for the SUBACK: the (re)connection has already asked for a listing.
  if (!state.connected || state.subscription !== 'confirmed') {
    return { ...state, listing: undefined, listFailures: failures, buffer: new Map() };
  }
  const policy = throttled ? THROTTLED_LIST_BACKOFF : LIST_BACKOFF;
  const afterMs = fullJitterDelay(policy, failures - 1, random);
  commands.push({ type: 'list', afterMs });
  return {
    ...state,
    listing: { connection: state.connection, startsAtMs: nowMs + afterMs },
    listFailures: failures,
    wantList: false,
    buffer: new Map(),
  };
}

/**
 * Remembers a change for the replay over the outstanding listing: received after it started, and
 * stamped late enough to count against its listed states (`listingEventTime`).
 */
function remember(state: SyncState, change: Change, nowMs: number): SyncState['buffer'] {
  const listing = state.listing;
  if (listing === undefined || nowMs < listing.startsAtMs) return state.buffer;
  if (change.timeMs <= listingEventTime(listing.startsAtMs)) return state.buffer;
  if (!changeSupersedes(change, state.buffer.get(change.id))) return state.buffer;
  return new Map(state.buffer).set(change.id, change);
}

function onMessage(state: SyncState, change: Change, nowMs: number, commands: SyncCommand[]): SyncState {
  const aheadMs = change.timeMs - nowMs;
  if (aheadMs > MAX_CLOCK_SKEW_MS) {
    commands.push({ type: 'dropped', reason: 'clock-ahead', change, aheadMs });
    return { ...state, futureDropped: state.futureDropped + 1 };
  }
  if (!state.staleAccounts.has(change.account) && isTombstoned(state.fleet, change, state.listedAtMs)) {
    return state;
  }
  const buffer = remember(state, change, nowMs);
  const fleet = applyChange(state.fleet, change, nowMs);
  let describe = state.describe;
  // Only a kind whose changes carry no name is described (kinds.ts `describes`).
  if (specOf(change.kind).describes === true && !state.fleet.has(change.id)) {
    const queued = enqueueDescribe(describe, change.region, change.id, nowMs);
    describe = queued.queue;
    commands.push(...queued.commands);
  }
  return { ...state, fleet, buffer, describe };
}

function advance(
  state: SyncState,
  event: SyncEvent,
  nowMs: number,
  random: () => number,
  commands: SyncCommand[],
): SyncState {
  switch (event.type) {
    case 'connected': {
      // A listing still outstanding was issued on an older connection: it cannot make this one
      // synced, and it may be the one that hangs. Supersede it.
      if (state.listing !== undefined) commands.push({ type: 'cancel-list', reason: 'reconnected' });
      const subscribe = event.first || !event.rejoined || state.subscription !== 'confirmed';
      if (subscribe) commands.push({ type: 'subscribe' });
      return maybeList(
        {
          ...state,
          connected: true,
          synced: false,
          connection: state.connection + 1,
          subscription: subscribe ? 'requested' : 'confirmed',
          listing: undefined,
          wantList: true,
        },
        nowMs,
        commands,
      );
    }
    case 'disconnected':
      return { ...state, connected: false, synced: false };
    case 'subscribed':
      if (!state.connected || state.subscription !== 'requested') return state;
      return maybeList({ ...state, subscription: 'confirmed' }, nowMs, commands);
    case 'listed':
      return onListed(state, event.snapshot, nowMs, commands);
    case 'list-failed':
      return onListFailed(state, event.throttled, nowMs, random, commands);
    case 'message':
      return onMessage(state, event.change, nowMs, commands);
    case 'slice':
      if (event.snapshot.kinds === undefined) return state; // a slice names its kinds; never the whole fleet
      return { ...state, fleet: replaceWithSnapshot(state.fleet, event.snapshot, nowMs) };
    case 'resync-due': {
      if (!state.connected) return state;
      const stuck = state.listing !== undefined && nowMs - state.listing.startsAtMs >= state.resyncMs;
      if (state.listing !== undefined && !stuck) return state;
      if (stuck) commands.push({ type: 'cancel-list', reason: 'stuck' });
      return maybeList({ ...state, listing: undefined, wantList: true }, nowMs, commands);
    }
    case 'describe-due': {
      const due = describeDue(state.describe, event.region, nowMs, (id) => state.fleet.has(id));
      commands.push(...due.commands);
      return { ...state, describe: due.queue };
    }
    case 'described': {
      const described = { ...state, fleet: applyDetails(state.fleet, event.details) };
      if (!state.tagFiltered || event.details.length >= event.ids.length) return described;
      return advance(described, { type: 'resync-due' }, nowMs, random, commands);
    }
    case 'describe-failed':
      return state;
    case 'settings': {
      const next = { ...state, resyncMs: event.resyncMs, tagFiltered: event.tagFiltered };
      if (event.relist && state.connected) {
        if (state.listing !== undefined) commands.push({ type: 'cancel-list', reason: 'settings' });
        return maybeList({ ...next, listing: undefined, wantList: true }, nowMs, commands);
      }
      // The period runs from now: the timer armed with the old period is replaced.
      if (event.resyncMs !== state.resyncMs && state.synced) {
        commands.push({ type: 'schedule-resync', afterMs: event.resyncMs });
      }
      return next;
    }
  }
}

/**
 * One event in, the next state and the commands out. `random` ([0, 1), like Math.random) draws the
 * backoff jitter; pass a fixed function in tests.
 */
export function step(
  state: SyncState,
  event: SyncEvent,
  nowMs: number,
  random: () => number = Math.random,
): SyncStep {
  const commands: SyncCommand[] = [];
  const next = advance(state, event, nowMs, random, commands);
  if (next.fleet !== state.fleet || next.connected !== state.connected || next.synced !== state.synced) {
    commands.push({ type: 'render' });
  }
  return { state: next, commands };
}
