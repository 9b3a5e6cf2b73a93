/**
 * The fleet: every known instance by id, and the three ways it changes (a live change, a listing,
 * details learned later). Pure; the clock comes in as `nowMs`.
 *
 * Contract:
 * - Monotonic between listings. `applyChange` stores a change only when `overrides` says it replaces
 *   the stored state: among live changes that is its kind's ordering (order.ts: `supersedes` for
 *   instances, the state's time for alarms), so any set of changes applied in any order, with any duplicates, ends on the same
 *   state per instance, and a `terminated` change is not left for another change.
 * - A listing is the truth at its start. `replaceWithSnapshot` leaves exactly the snapshot's
 *   instances, each in its listed state at time `startedAtMs`, whatever other state was stored: a
 *   stored state, even `terminated` or stamped in the future, came from a message, and a listing that
 *   shows the instance in another state (alive, for `terminated`) proves that message wrong or stale
 *   (EC2 never reuses an instance id). A stored state the listing confirms keeps its stamp. An
 *   instance the listing lacks is removed. Bringing back what changed after the listing started is the
 *   caller's job (sync.ts replays its buffer); `isTombstoned` tells a late echo of a vanished instance
 *   from a change that came after the listing.
 * - A listed state gives way only to a change stamped after it (`overrides`), `terminated` included:
 *   an older message cannot undo what a newer listing showed.
 * - `sinceMs` moves (to `nowMs`) only when the state actually changes; a newer change to the same
 *   state updates `timeMs` and keeps `sinceMs`.
 * - Values, not mutation: every function returns a new fleet, or the very same fleet object when
 *   nothing changed, so `next !== fleet` means "something to render".
 *
 * Not guaranteed: listing times are the agent's clock, event times EventBridge's whole seconds. A
 * change within about a second (plus clock skew) of a listing's start can be misordered against the
 * listing; the instance's next change or the next relist heals it. Unknown instances first seen in a
 * live change have no name or tags until `applyDetails` or a listing supplies them.
 */
import { DEFAULT_KIND, pulsesAs, specOf } from '../kinds/kinds.ts';
import type { Change, Item, ItemDetails, Snapshot } from './item.ts';
import { changeSupersedes } from './order.ts';

export type Fleet = ReadonlyMap<string, Item>;

export const EMPTY_FLEET: Fleet = new Map();

/** What a listing or DescribeInstances adds beyond the state. */
export type Descriptive = Pick<ItemDetails, 'name' | 'tags'>;

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

function sameInstance(a: Item, b: Item): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.timeMs === b.timeMs &&
    a.listed === b.listed &&
    a.sinceMs === b.sinceMs &&
    a.startMs === b.startMs &&
    a.previousState === b.previousState &&
    a.region === b.region &&
    a.account === b.account &&
    a.name === b.name &&
    sameTags(a.tags, b.tags)
  );
}

/**
 * True when `change` must replace the stored state: its kind's ordering (order.ts), except that a
 * listed state gives way only to a change stamped after the listing (a `terminated` from before it
 * included).
 */
export function overrides(
  change: Pick<Change, 'kind' | 'state' | 'timeMs' | 'startMs'>,
  current: Item | undefined,
): boolean {
  if (current?.listed === true && change.timeMs <= current.timeMs) return false;
  return changeSupersedes(change, current);
}

/**
 * The instance after `change` (and `details`), or `current` itself when nothing differs. `listing`:
 * the change is a listed state, which replaces whatever is stored.
 */
function next(
  current: Item | undefined,
  change: Change,
  nowMs: number,
  details: Descriptive | undefined,
  listing = false,
): Item | undefined {
  const wins = listing || overrides(change, current);
  if (!wins && (current === undefined || details === undefined)) return current;
  const base: Item = current ?? {
    kind: change.kind ?? DEFAULT_KIND,
    id: change.id,
    state: change.state,
    timeMs: change.timeMs,
    sinceMs: nowMs,
    region: change.region,
    account: change.account,
    // A kind that is described gets its name from the describe; the others carry it in the change.
    name: specOf(change.kind).describes === true ? undefined : change.name,
    tags: NO_TAGS,
    listed: listing,
  };
  const moved = current !== undefined && current.state !== change.state;
  // The settled state before this one: a pulsing (in-between) state passes the one before it on.
  const previousState = !moved
    ? current?.previousState
    : pulsesAs(current.kind, current.state)
      ? current.previousState
      : current.state;
  const candidate: Item = {
    ...base,
    ...(wins && {
      state: change.state,
      timeMs: change.timeMs,
      sinceMs: current !== undefined && current.state === change.state ? current.sinceMs : nowMs,
      region: change.region,
      account: change.account,
      listed: listing,
      ...(change.startMs === undefined ? {} : { startMs: change.startMs }),
      ...(previousState === undefined ? {} : { previousState }),
    }),
    ...(details !== undefined && { name: details.name, tags: details.tags }),
  };
  return current !== undefined && sameInstance(candidate, current) ? current : candidate;
}

/** Applies one change into a map being built; true when the map changed. */
function applyInto(
  map: Map<string, Item>,
  change: Change,
  nowMs: number,
  details: Descriptive | undefined,
): boolean {
  const current = map.get(change.id);
  const updated = next(current, change, nowMs, details);
  if (updated === current || updated === undefined) return false;
  map.set(change.id, updated);
  return true;
}

/**
 * Applies one change if it overrides the stored state. An unknown instance is added (name undefined
 * until described). `details`, when given, sets name and tags whether or not the state moves.
 */
export function applyChange(fleet: Fleet, change: Change, nowMs: number, details?: Descriptive): Fleet {
  const map = new Map(fleet);
  return applyInto(map, change, nowMs, details) ? map : fleet;
}

/** Applies several changes in order, as `applyChange` would one by one (one copy of the fleet). */
export function applyChanges(
  fleet: Fleet,
  changes: Iterable<Change>,
  nowMs: number,
  detailsOf?: (id: string) => Descriptive | undefined,
): Fleet {
  const map = new Map(fleet);
  let changed = false;
  for (const change of changes) {
    if (applyInto(map, change, nowMs, detailsOf?.(change.id))) changed = true;
  }
  return changed ? map : fleet;
}

/** The change a listing implies for one listed item, of any kind. */
export function listedChange(details: ItemDetails, startedAtMs: number): Change {
  return {
    ...(details.kind === undefined ? {} : { kind: details.kind }),
    id: details.id,
    state: details.state,
    timeMs: startedAtMs,
    region: details.region,
    account: details.account,
    ...(specOf(details.kind).describes === true ? {} : { name: details.name ?? '' }),
    ...(details.startMs === undefined ? {} : { startMs: details.startMs }),
  };
}

/**
 * The fleet as the listing says, whatever was stored (see the contract). Instances missing from the
 * snapshot are removed (the tombstone case), except those of an account the snapshot names as
 * failed (for every kind, or for the kind the failure names) and those of a kind outside the
 * snapshot's slice (`kinds`). A duplicated id is decided between its
 * two listed states by its kind's ordering.
 */
export function replaceWithSnapshot(fleet: Fleet, snapshot: Snapshot, nowMs: number): Fleet {
  const map = new Map<string, Item>();
  // An account the listing could not read keeps what the fleet had: absence is not a tombstone there.
  const failures = snapshot.failedAccounts ?? [];
  const unread = (instance: Item) =>
    failures.some((f) => f.account === instance.account && (f.kind ?? instance.kind) === instance.kind);
  // Only the listing's own slice (its kinds) is replaced; every other kind stays as it is.
  const slice = snapshot.kinds;
  const outside = (instance: Item) => slice !== undefined && !slice.includes(instance.kind);
  for (const [id, instance] of fleet) if (outside(instance) || unread(instance)) map.set(id, instance);
  for (const details of snapshot.items) {
    const duplicate = map.get(details.id);
    const change = listedChange(details, snapshot.startedAtMs);
    const current = duplicate ?? fleet.get(details.id);
    // A stored change that the listing confirms keeps its own (later) stamp: a change from the same
    // second with a lower rank, arriving later, must still lose to it.
    const confirmed =
      current !== undefined && current.state === details.state && current.timeMs > change.timeMs;
    const replaces = duplicate === undefined ? !confirmed : changeSupersedes(change, duplicate);
    const updated = next(current, change, nowMs, details, replaces);
    if (updated !== undefined) map.set(details.id, updated);
  }
  if (map.size !== fleet.size) return map;
  for (const [id, instance] of map) if (fleet.get(id) !== instance) return map;
  return fleet;
}

/** Name and tags learned later (DescribeInstances). Unknown instances are ignored, not added. */
export function applyDetails(fleet: Fleet, details: readonly ItemDetails[]): Fleet {
  let map: Map<string, Item> | undefined;
  for (const item of details) {
    const current = (map ?? fleet).get(item.id);
    if (current === undefined) continue;
    if (current.name === item.name && sameTags(current.tags, item.tags)) continue;
    map ??= new Map(fleet);
    map.set(item.id, { ...current, name: item.name, tags: item.tags });
  }
  return map ?? fleet;
}

/**
 * True for a change that must be dropped: it names an instance the fleet does not hold although a
 * listing started at `listedAtMs` has been applied, and it is no newer than that listing. The listing
 * did not return the instance, so it vanished; the change is a late or duplicated echo. Before the
 * first listing (`listedAtMs` undefined) nothing is tombstoned.
 */
export function isTombstoned(fleet: Fleet, change: Change, listedAtMs: number | undefined): boolean {
  return listedAtMs !== undefined && !fleet.has(change.id) && change.timeMs <= listedAtMs;
}
