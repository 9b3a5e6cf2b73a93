import { describe, expect, it } from 'vitest';
import {
  applyNoticeMessage,
  applyScheduled,
  EMPTY_NOTICES,
  MAX_NOTICES_PER_ITEM,
  nextNoticeEndInMs,
  pruneNotices,
  shownNotice,
} from '../../../device/fleet/notices.ts';
import type { Fleet } from '../../../device/fleet/store.ts';
import type { NoticeMessage } from '../../../shared/notice-message.ts';
import { instance } from '../../kit/builders.ts';

const WEB = instance(1, 'running', 'web');
const message = (over: Partial<NoticeMessage> = {}): NoticeMessage => ({
  v: 1,
  kind: 'notice',
  id: WEB.id,
  notice: 'spot-interruption',
  action: 'terminate',
  start: 1_120_000,
  end: 1_180_000,
  time: 1_000_000,
  region: WEB.region,
  account: WEB.account,
  event: 'e1',
  ...over,
});
const fleet = (...instances: (typeof WEB)[]): Fleet => new Map(instances.map((i) => [i.id, i]));
const NOW = 1_000_000;

describe('instance notices', () => {
  it('keeps one notice per instance and code: a duplicate or an older message changes nothing', () => {
    const once = applyNoticeMessage(EMPTY_NOTICES, message(), NOW);
    expect(applyNoticeMessage(once, message(), NOW).get(WEB.id)).toEqual(once.get(WEB.id));
    const older = applyNoticeMessage(once, message({ time: NOW - 1, end: 1_500_000 }), NOW);
    expect(older.get(WEB.id)?.map((n) => n.endMs)).toEqual([1_180_000]);
  });

  it('shows the urgent notice before a calmer one that is due sooner', () => {
    let notices = applyNoticeMessage(
      EMPTY_NOTICES,
      message({ notice: 'rebalance', action: '', start: NOW, end: NOW + 3_600_000 }),
      NOW,
    );
    notices = applyNoticeMessage(notices, message(), NOW);
    expect(shownNotice(notices, WEB.id, NOW)?.code).toBe('spot-interruption');
  });

  it('ends a notice at its end time, and says when the next one ends', () => {
    const notices = applyNoticeMessage(EMPTY_NOTICES, message(), NOW);
    expect(nextNoticeEndInMs(notices, NOW)).toBe(180_000);
    expect(shownNotice(notices, WEB.id, 1_179_999)).toBeDefined();
    expect(pruneNotices(notices, fleet(WEB), 1_180_000).size).toBe(0);
  });

  it('ends a notice when the instance stops or terminates after it, not for an older stop', () => {
    const notices = applyNoticeMessage(EMPTY_NOTICES, message(), NOW);
    expect(pruneNotices(notices, fleet({ ...WEB, state: 'stopped', timeMs: NOW - 1 }), NOW)).toBe(notices);
    expect(pruneNotices(notices, fleet({ ...WEB, state: 'shutting-down', timeMs: NOW + 1 }), NOW).size).toBe(
      0,
    );
    expect(pruneNotices(notices, fleet({ ...WEB, state: 'running', timeMs: NOW + 1 }), NOW)).toBe(notices);
  });

  it('lets a message already over (a closed Health event) end the notice it names', () => {
    const scheduled = message({ notice: 'instance-reboot', action: '', start: 2_000_000, end: 3_000_000 });
    const notices = applyNoticeMessage(EMPTY_NOTICES, scheduled, NOW);
    // As translate-notice.ts sends a closed event: ended at the event's time, before the start.
    const closed = { ...scheduled, start: NOW + 5, end: NOW + 5, time: NOW + 5 };
    expect(applyNoticeMessage(notices, closed, NOW + 10).size).toBe(0);
    expect(applyNoticeMessage(notices, { ...closed, time: NOW - 5 }, NOW + 10)).toBe(notices);
  });

  it('replaces the listed notices of each account and region a listing read, and keeps live ones', () => {
    const live = applyNoticeMessage(EMPTY_NOTICES, message(), NOW);
    const first = applyScheduled(
      live,
      [
        {
          region: WEB.region,
          account: '',
          events: [
            { instanceId: WEB.id, code: 'system-reboot', notBeforeMs: 5_000_000, notAfterMs: 6_000_000 },
          ],
        },
      ],
      NOW,
    );
    expect(first.get(WEB.id)?.map((n) => n.code)).toEqual(['spot-interruption', 'system-reboot']);
    // The next listing no longer lists it (cancelled, or done while the Pi was offline).
    const second = applyScheduled(first, [{ region: WEB.region, account: '', events: [] }], NOW + 1);
    expect(second.get(WEB.id)?.map((n) => n.code)).toEqual(['spot-interruption']);
    // A listing of another region leaves this one's alone.
    expect(applyScheduled(first, [{ region: 'us-west-2', account: '', events: [] }], NOW + 1)).toEqual(first);
  });

  it('holds at most a few notices per instance, keeping the soonest to end', () => {
    let notices = EMPTY_NOTICES;
    const codes = [
      'rebalance',
      'instance-reboot',
      'system-reboot',
      'system-maintenance',
      'instance-stop',
    ] as const;
    codes.forEach((code, n) => {
      notices = applyNoticeMessage(
        notices,
        message({ notice: code, action: '', start: NOW, end: NOW + 1_000 + n }),
        NOW,
      );
    });
    expect(notices.get(WEB.id)?.map((n) => n.endMs)).toEqual(
      Array.from({ length: MAX_NOTICES_PER_ITEM }, (_, n) => NOW + 1_000 + n),
    );
  });
});
