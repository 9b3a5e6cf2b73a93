/**
 * Instance notices: what is about to happen to an EC2 instance (a Spot interruption, a rebalance
 * recommendation, a scheduled reboot, retirement, stop or maintenance), held per instance id beside
 * the fleet, not in it: a notice changes how an item's pixel looks, never its state or its place.
 * Pure; the agent holds the current `Notices` and replaces it with what these functions return.
 *
 * Contract:
 * - Two ways in. Live (`applyNoticeMessage`, from the notice messages of shared/notice-message.ts)
 *   and listed (`applyScheduled`, DescribeInstanceStatus's scheduled events at every listing). A
 *   listing replaces the listed notices of each account and region it read, so a scheduled event
 *   cancelled while the Pi was offline goes, and one announced while it was offline shows. Spot and
 *   rebalance notices cannot be listed (only the instance's own metadata service knows them): they
 *   live until their `endMs`.
 * - One notice per instance and code: a repeated message replaces it (the newer `timeMs` wins, so a
 *   duplicate or an older one changes nothing); a message already over when it arrives (a closed
 *   Health event) ends it.
 * - A notice ends at `endMs`, or when the instance is seen stopping, stopped, shutting down or
 *   terminated by a change no older than the notice (`pruneNotices`).
 * - Bounded: at most MAX_NOTICES_PER_ITEM per instance and MAX_NOTICES in all (the soonest to end
 *   are kept), so a flood of messages cannot grow it.
 */
import {
  isUrgentNotice,
  type NoticeCode,
  type NoticeMessage,
  SCHEDULED_DEFAULT_MS,
} from '../../shared/notice-message.ts';

/** What pruning needs of the fleet (store.ts `Fleet`), without importing it: item.ts imports this file. */
type FleetStates = ReadonlyMap<string, { readonly state: string; readonly timeMs: number }>;

export interface Notice {
  /** The EC2 instance id (the item id of its pixel). */
  readonly id: string;
  readonly code: NoticeCode;
  /** Spot's instance action (terminate, stop, hibernate); "" for the others. */
  readonly action: string;
  /** When it is due (epoch ms). */
  readonly startMs: number;
  /** When the notice stops showing (epoch ms). */
  readonly endMs: number;
  /** The event's time, or the listing's start for a listed one. */
  readonly timeMs: number;
  readonly region: string;
  /** "" when the listing did not say (a single-account listing). */
  readonly account: string;
  readonly source: 'event' | 'listing';
}

/** Instance id -> its notices, soonest start first. */
export type Notices = ReadonlyMap<string, readonly Notice[]>;

export const MAX_NOTICES_PER_ITEM = 4;
export const MAX_NOTICES = 2000;

/** One scheduled event as DescribeInstanceStatus lists it (sources/scheduled-events.ts). */
export interface ScheduledEvent {
  readonly instanceId: string;
  readonly code: NoticeCode;
  readonly notBeforeMs: number;
  readonly notAfterMs?: number | undefined;
}

/** The scheduled events of one account and region, read in full by one listing. */
export interface ScheduledListing {
  readonly region: string;
  /** "" when the source does not know its account (it is the only one). */
  readonly account: string;
  readonly events: readonly ScheduledEvent[];
}

export const EMPTY_NOTICES: Notices = new Map();

function sameNotice(a: Notice, b: Notice): boolean {
  return a.code === b.code;
}

function withNotice(list: readonly Notice[], notice: Notice): readonly Notice[] {
  const old = list.find((n) => sameNotice(n, notice));
  if (old !== undefined && old.timeMs > notice.timeMs) return list;
  const next = [...list.filter((n) => !sameNotice(n, notice)), notice].sort((a, b) => a.startMs - b.startMs);
  // Too many for one instance: keep the soonest to end.
  return next.length <= MAX_NOTICES_PER_ITEM
    ? next
    : [...next].sort((a, b) => a.endMs - b.endMs).slice(0, MAX_NOTICES_PER_ITEM);
}

function bounded(map: Map<string, readonly Notice[]>): Notices {
  let total = 0;
  for (const list of map.values()) total += list.length;
  if (total <= MAX_NOTICES) return map;
  const all = [...map.values()].flat().sort((a, b) => a.endMs - b.endMs);
  const kept = new Map<string, Notice[]>();
  for (const notice of all.slice(0, MAX_NOTICES))
    kept.set(notice.id, [...(kept.get(notice.id) ?? []), notice]);
  return kept;
}

export function noticeOf(message: NoticeMessage): Notice {
  return {
    id: message.id,
    code: message.notice,
    action: message.action,
    startMs: message.start,
    endMs: message.end,
    timeMs: message.time,
    region: message.region,
    account: message.account,
    source: 'event',
  };
}

/** A live notice message: added, or replacing the instance's notice of that code when newer. */
export function applyNoticeMessage(notices: Notices, message: NoticeMessage, nowMs: number): Notices {
  const notice = noticeOf(message);
  if (notice.endMs <= nowMs) {
    // Already over (a closed Health event, a late Spot warning): it ends its notice, if shown.
    const list = notices.get(notice.id);
    if (list === undefined || !list.some((n) => sameNotice(n, notice) && n.timeMs <= notice.timeMs))
      return notices;
    const next = new Map(notices);
    const rest = list.filter((n) => !sameNotice(n, notice));
    if (rest.length === 0) next.delete(notice.id);
    else next.set(notice.id, rest);
    return next;
  }
  const next = new Map(notices);
  next.set(notice.id, withNotice(notices.get(notice.id) ?? [], notice));
  return bounded(next);
}

/**
 * A listing's scheduled events: for each account and region it read, the listed notices there are
 * replaced by these; live ones stay (a Health event may come before EC2 lists the event).
 */
export function applyScheduled(
  notices: Notices,
  listings: readonly ScheduledListing[],
  listedAtMs: number,
): Notices {
  if (listings.length === 0) return notices;
  const covered = (n: Notice) =>
    n.source === 'listing' && listings.some((l) => l.region === n.region && l.account === n.account);
  const next = new Map<string, readonly Notice[]>();
  for (const [id, list] of notices) {
    const kept = list.filter((n) => !covered(n));
    if (kept.length > 0) next.set(id, kept);
  }
  for (const listing of listings) {
    for (const event of listing.events) {
      const endMs = event.notAfterMs ?? event.notBeforeMs + SCHEDULED_DEFAULT_MS;
      if (endMs <= listedAtMs) continue;
      const notice: Notice = {
        id: event.instanceId,
        code: event.code,
        action: '',
        startMs: event.notBeforeMs,
        endMs: Math.max(endMs, event.notBeforeMs),
        timeMs: listedAtMs,
        region: listing.region,
        account: listing.account,
        source: 'listing',
      };
      next.set(notice.id, withNotice(next.get(notice.id) ?? [], notice));
    }
  }
  return bounded(next);
}

/** States in which a notice about the instance is over: what it warned of has happened, or it is off. */
const ENDING_STATES: ReadonlySet<string> = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/**
 * Without the notices that are over at `nowMs`: past their end, or of an instance seen stopping,
 * stopped, shutting down or terminated by a change no older than the notice. The same map when
 * nothing ended, so a caller can tell cheaply.
 */
export function pruneNotices(notices: Notices, fleet: FleetStates, nowMs: number): Notices {
  let next: Map<string, readonly Notice[]> | undefined;
  for (const [id, list] of notices) {
    const instance = fleet.get(id);
    const ended =
      instance !== undefined && ENDING_STATES.has(instance.state)
        ? instance.timeMs
        : Number.NEGATIVE_INFINITY;
    const kept = list.filter((n) => n.endMs > nowMs && n.timeMs > ended);
    if (kept.length === list.length) continue;
    next ??= new Map(notices);
    if (kept.length === 0) next.delete(id);
    else next.set(id, kept);
  }
  return next ?? notices;
}

/** The notice an instance's pixel shows at `nowMs`: urgent first, then the soonest due. */
export function shownNotice(notices: Notices, id: string, nowMs: number): Notice | undefined {
  let best: Notice | undefined;
  for (const notice of notices.get(id) ?? []) {
    if (notice.endMs <= nowMs) continue;
    if (
      best === undefined ||
      (isUrgentNotice(notice.code) && !isUrgentNotice(best.code)) ||
      (isUrgentNotice(notice.code) === isUrgentNotice(best.code) && notice.startMs < best.startMs)
    )
      best = notice;
  }
  return best;
}

/** Every notice showing at `nowMs`, one per instance. */
export function shownNotices(notices: Notices, nowMs: number): ReadonlyMap<string, Notice> {
  const out = new Map<string, Notice>();
  for (const id of notices.keys()) {
    const notice = shownNotice(notices, id, nowMs);
    if (notice !== undefined) out.set(id, notice);
  }
  return out;
}

/** Milliseconds until the next notice ends after `nowMs`, or undefined when none will. */
export function nextNoticeEndInMs(notices: Notices, nowMs: number): number | undefined {
  let soonest = Number.POSITIVE_INFINITY;
  for (const list of notices.values())
    for (const n of list) if (n.endMs > nowMs && n.endMs < soonest) soonest = n.endMs;
  return Number.isFinite(soonest) ? soonest - nowMs : undefined;
}

/**
 * The urgent notice (shared/notice-message.ts `isUrgentNotice`) each instance's pixel shows, from the
 * notices showing (`shownNotices`): what picture/attention.ts lets a person acknowledge.
 */
export function urgentNoticeOf(
  shown: ReadonlyMap<string, Notice> | undefined,
): (id: string) => Notice | undefined {
  return (id) => {
    const notice = shown?.get(id);
    return notice !== undefined && isUrgentNotice(notice.code) ? notice : undefined;
  };
}
