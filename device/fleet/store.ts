/**
 * The fleet: every known instance by id, and the three ways it changes (a live change, a listing,
 * details learned later). Pure; the clock comes in as `nowMs`.
 *
 * Contract:
 * - Monotonic per instance. `applyChange` stores a change only when `supersedes` says it replaces the
 *   stored one (shared/instance-state.ts, the one ordering rule), so any set of changes applied in any
 *   order, with any duplicates, ends on the same state per instance, and `terminated` is never left.
 * - `sinceMs` moves (to `nowMs`) only when the state actually changes; a newer change to the same
 *   state updates `timeMs` and keeps `sinceMs`.
 * - `replaceWithSnapshot` leaves exactly the snapshot's instances. A listed instance takes the listed
 *   state at time `startedAtMs` unless the stored change is newer than the listing (or terminated);
 *   an instance the listing lacks is removed. Bringing back what changed after the listing started
 *   is the caller's job (sync.ts replays its buffer); `isTombstoned` tells a late echo of a vanished
 *   instance from a change that came after the listing.
 * - Values, not mutation: every function returns a new fleet, or the very same fleet object when
 *   nothing changed, so `next !== fleet` means "something to render".
 *
 * Not guaranteed: listing times are the agent's clock, event times EventBridge's whole seconds. A
 * change within about a second (plus clock skew) of a listing's start can be misordered against the
 * listing; the instance's next change or the next relist heals it. Unknown instances first seen in a
 * live change have no name or tags until `applyDetails` or a listing supplies them.
 */
import { supersedes } from '../../shared/instance-state.ts';
import type { Change, Instance, InstanceDetails, Snapshot } from './instance.ts';

export type Fleet = ReadonlyMap<string, Instance>;

export const EMPTY_FLEET: Fleet = new Map();

/** What a listing or DescribeInstances adds beyond the state. */
export type Descriptive = Pick<InstanceDetails, 'name' | 'tags'>;

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

function sameInstance(a: Instance, b: Instance): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.timeMs === b.timeMs &&
    a.sinceMs === b.sinceMs &&
    a.region === b.region &&
    a.account === b.account &&
    a.name === b.name &&
    sameTags(a.tags, b.tags)
  );
}

/** The instance after `change` (and `details`), or `current` itself when nothing differs. */
function next(
  current: Instance | undefined,
  change: Change,
  nowMs: number,
  details: Descriptive | undefined,
): Instance | undefined {
  const wins = supersedes(change, current);
  if (!wins && (current === undefined || details === undefined)) return current;
  const base = current ?? {
    id: change.instanceId,
    state: change.state,
    timeMs: change.timeMs,
    sinceMs: nowMs,
    region: change.region,
    account: change.account,
    name: undefined,
    tags: NO_TAGS,
  };
  const candidate: Instance = {
    ...base,
    ...(wins && {
      state: change.state,
      timeMs: change.timeMs,
      sinceMs: current !== undefined && current.state === change.state ? current.sinceMs : nowMs,
      region: change.region,
      account: change.account,
    }),
    ...(details !== undefined && { name: details.name, tags: details.tags }),
  };
  return current !== undefined && sameInstance(candidate, current) ? current : candidate;
}

/** Applies one change into a map being built; true when the map changed. */
function applyInto(
  map: Map<string, Instance>,
  change: Change,
  nowMs: number,
  details: Descriptive | undefined,
): boolean {
  const current = map.get(change.instanceId);
  const updated = next(current, change, nowMs, details);
  if (updated === current || updated === undefined) return false;
  map.set(change.instanceId, updated);
  return true;
}

/**
 * Applies one change if it supersedes the stored state. An unknown instance is added (name undefined
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
  detailsOf?: (instanceId: string) => Descriptive | undefined,
): Fleet {
  const map = new Map(fleet);
  let changed = false;
  for (const change of changes) {
    if (applyInto(map, change, nowMs, detailsOf?.(change.instanceId))) changed = true;
  }
  return changed ? map : fleet;
}

/** The change a listing implies for one listed instance. */
export function listedChange(details: InstanceDetails, startedAtMs: number): Change {
  return {
    instanceId: details.instanceId,
    state: details.state,
    timeMs: startedAtMs,
    region: details.region,
    account: details.account,
  };
}

/**
 * The fleet as the listing says, keeping any stored change newer than the listing's start. Instances
 * missing from the snapshot are removed (the tombstone case). A duplicated id is applied twice,
 * through the same rule.
 */
export function replaceWithSnapshot(fleet: Fleet, snapshot: Snapshot, nowMs: number): Fleet {
  const map = new Map<string, Instance>();
  for (const details of snapshot.instances) {
    const current = map.get(details.instanceId) ?? fleet.get(details.instanceId);
    const updated = next(current, listedChange(details, snapshot.startedAtMs), nowMs, details);
    if (updated !== undefined) map.set(details.instanceId, updated);
  }
  if (map.size !== fleet.size) return map;
  for (const [id, instance] of map) if (fleet.get(id) !== instance) return map;
  return fleet;
}

/** Name and tags learned later (DescribeInstances). Unknown instances are ignored, not added. */
export function applyDetails(fleet: Fleet, details: readonly InstanceDetails[]): Fleet {
  let map: Map<string, Instance> | undefined;
  for (const item of details) {
    const current = (map ?? fleet).get(item.instanceId);
    if (current === undefined) continue;
    if (current.name === item.name && sameTags(current.tags, item.tags)) continue;
    map ??= new Map(fleet);
    map.set(item.instanceId, { ...current, name: item.name, tags: item.tags });
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
  return listedAtMs !== undefined && !fleet.has(change.instanceId) && change.timeMs <= listedAtMs;
}
