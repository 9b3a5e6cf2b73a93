/**
 * The describe queue: ids first seen in a live change wait here until DescribeInstances tells their
 * Name and tags. A "stingy" queue, in client-go's sense: ids are coalesced per region, and each region
 * is described at most once per DESCRIBE_INTERVAL_MS, so a scale-out of fifty instances costs one or
 * two calls instead of fifty. Pure; the clock comes in as `nowMs`.
 *
 * Contract:
 * - An id is queued once, however often it is enqueued, until it is sent or forgotten.
 * - For one region, two `describe` commands are never less than DESCRIBE_INTERVAL_MS apart, and a
 *   `schedule-describe` is emitted only when none is outstanding for that region; its `describe-due`
 *   event sends what is queued then.
 * - Failed calls are not retried here: the next listing carries every name (see sync.ts).
 */

/** The least time between two DescribeInstances calls for one region. */
export const DESCRIBE_INTERVAL_MS = 1000;
/** The most ids in one call; the rest wait for the next interval. */
export const DESCRIBE_BATCH = 100;

interface RegionQueue {
  /** Ids waiting, in the order they were first seen. */
  readonly ids: readonly string[];
  /** Agent time of the last `describe` for this region. */
  readonly lastCallMs: number | undefined;
  /** A `schedule-describe` is outstanding: its `describe-due` will send. */
  readonly scheduled: boolean;
}

export type DescribeQueue = ReadonlyMap<string, RegionQueue>;

export const EMPTY_DESCRIBE_QUEUE: DescribeQueue = new Map();

export type DescribeCommand =
  /** Call DescribeInstances for these ids in this region now; report `described` or `describe-failed`. */
  | { readonly type: 'describe'; readonly region: string; readonly ids: readonly string[] }
  /** Send the event `describe-due` for this region after `afterMs`. */
  | { readonly type: 'schedule-describe'; readonly region: string; readonly afterMs: number };

export interface DescribeStep {
  readonly queue: DescribeQueue;
  readonly commands: readonly DescribeCommand[];
}

function flush(queue: DescribeQueue, region: string, entry: RegionQueue, nowMs: number): DescribeStep {
  const map = new Map(queue);
  if (entry.ids.length === 0) {
    map.set(region, { ...entry, scheduled: false });
    return { queue: map, commands: [] };
  }
  const wait = entry.lastCallMs === undefined ? 0 : entry.lastCallMs + DESCRIBE_INTERVAL_MS - nowMs;
  if (wait > 0) {
    map.set(region, { ...entry, scheduled: true });
    return { queue: map, commands: [{ type: 'schedule-describe', region, afterMs: wait }] };
  }
  const ids = entry.ids.slice(0, DESCRIBE_BATCH);
  const rest = entry.ids.slice(DESCRIBE_BATCH);
  const commands: DescribeCommand[] = [{ type: 'describe', region, ids }];
  if (rest.length > 0) commands.push({ type: 'schedule-describe', region, afterMs: DESCRIBE_INTERVAL_MS });
  map.set(region, { ids: rest, lastCallMs: nowMs, scheduled: rest.length > 0 });
  return { queue: map, commands };
}

/** Queues one id; describes at once when the region's interval allows, else schedules once. */
export function enqueueDescribe(
  queue: DescribeQueue,
  region: string,
  instanceId: string,
  nowMs: number,
): DescribeStep {
  const entry = queue.get(region) ?? { ids: [], lastCallMs: undefined, scheduled: false };
  if (entry.ids.includes(instanceId)) return { queue, commands: [] };
  const queued = { ...entry, ids: [...entry.ids, instanceId] };
  if (entry.scheduled) return { queue: new Map(queue).set(region, queued), commands: [] };
  return flush(queue, region, queued, nowMs);
}

/** The `describe-due` event: sends the region's ids that `wanted` still accepts. */
export function describeDue(
  queue: DescribeQueue,
  region: string,
  nowMs: number,
  wanted: (instanceId: string) => boolean,
): DescribeStep {
  const entry = queue.get(region);
  if (entry === undefined) return { queue, commands: [] };
  const ids = entry.ids.filter(wanted);
  return flush(queue, region, { ...entry, ids, scheduled: false }, nowMs);
}

/** Drops every queued id that `known` accepts (a listing described them). */
export function forgetDescribed(queue: DescribeQueue, known: (instanceId: string) => boolean): DescribeQueue {
  let map: Map<string, RegionQueue> | undefined;
  for (const [region, entry] of queue) {
    const ids = entry.ids.filter((id) => !known(id));
    if (ids.length === entry.ids.length) continue;
    map ??= new Map(queue);
    map.set(region, { ...entry, ids });
  }
  return map ?? queue;
}
