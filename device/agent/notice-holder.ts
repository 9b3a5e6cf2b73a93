/**
 * The agent's instance notices (fleet/notices.ts) between events: it holds the current `Notices`,
 * applies live messages and listings, prunes what ended, and hands the picture the notices showing,
 * as the same map object until they change (so a legend is rebuilt only when a notice starts or
 * ends, not every frame of its breath). Decides nothing itself.
 */
import type { NoticeMessage } from '../../shared/notice-message.ts';
import {
  applyNoticeMessage,
  applyScheduled,
  EMPTY_NOTICES,
  type Notice,
  type Notices,
  nextNoticeEndInMs,
  pruneNotices,
  type ScheduledListing,
  shownNotices,
} from '../fleet/notices.ts';
import type { Fleet } from '../fleet/store.ts';

export interface NoticeHolder {
  apply(message: NoticeMessage, nowMs: number): void;
  listed(listings: readonly ScheduledListing[], listedAtMs: number): void;
  /** The notices showing at `nowMs` for `fleet`, one per instance: the same object while unchanged. */
  shown(fleet: Fleet, nowMs: number): ReadonlyMap<string, Notice>;
  /** Every notice held (the metrics). */
  all(): Notices;
}

export function createNoticeHolder(): NoticeHolder {
  let notices = EMPTY_NOTICES;
  let shown: ReadonlyMap<string, Notice> = new Map();
  let shownFor: { notices: Notices; fleet: Fleet | undefined; untilMs: number } = {
    notices,
    fleet: undefined,
    untilMs: Number.NEGATIVE_INFINITY,
  };
  return {
    apply(message, nowMs) {
      notices = applyNoticeMessage(notices, message, nowMs);
    },
    listed(listings, listedAtMs) {
      notices = applyScheduled(notices, listings, listedAtMs);
    },
    shown(fleet, nowMs) {
      if (shownFor.notices === notices && shownFor.fleet === fleet && nowMs < shownFor.untilMs) return shown;
      notices = pruneNotices(notices, fleet, nowMs);
      const next = shownNotices(notices, nowMs);
      const same = next.size === shown.size && [...next].every(([id, notice]) => shown.get(id) === notice);
      if (!same) shown = next;
      shownFor = {
        notices,
        fleet,
        untilMs: nowMs + (nextNoticeEndInMs(notices, nowMs) ?? Number.POSITIVE_INFINITY),
      };
      return shown;
    },
    all: () => notices,
  };
}
