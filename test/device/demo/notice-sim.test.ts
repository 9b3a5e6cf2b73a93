import { describe, expect, it } from 'vitest';
import { noticeDay, noticeEventIdFor, toNoticeEvent } from '../../../device/demo/notice-sim.ts';
import { DEFAULT_SIM_OPTIONS, simulateDay } from '../../../device/demo/simulator.ts';
import { translateNoticeEvent } from '../../../lambda/translate-notice.ts';

describe("the demo's instance notices", () => {
  const day = simulateDay();
  const steps = noticeDay(DEFAULT_SIM_OPTIONS.dayStartMs, day.instances);

  it('has a maintenance notice for a database and a Spot warning for a worker, in the morning', () => {
    const byId = new Map(day.instances.map((i) => [i.instanceId, i]));
    expect(steps.map((s) => [s.notice, byId.get(s.instanceId)?.name.split('-')[0]])).toEqual([
      ['maintenance', 'db'],
      ['spot', 'worker'],
    ]);
    expect(steps.map((s) => (s.timeMs - DEFAULT_SIM_OPTIONS.dayStartMs) / 3_600_000)).toEqual([9.6, 10]);
  });

  it('sends events the Lambda translates into a scheduled reboot and an urgent Spot notice', () => {
    const byId = new Map(day.instances.map((i) => [i.instanceId, i]));
    const translated = steps.map((step, i) => {
      const result = translateNoticeEvent(
        toNoticeEvent(step, byId.get(step.instanceId) as never, noticeEventIdFor(step, i)),
      );
      if (!result.ok) throw new Error(result.reason);
      return result.messages.map((m) => [m.id, m.notice, m.end - m.start]);
    });
    expect(translated).toEqual([
      [[steps[0]?.instanceId, 'system-reboot', 7_200_000]],
      [[steps[1]?.instanceId, 'spot-interruption', 60_000]],
    ]);
  });
});
