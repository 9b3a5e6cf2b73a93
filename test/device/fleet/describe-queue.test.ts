import { describe, expect, it } from 'vitest';
import {
  DESCRIBE_BATCH,
  describeDue,
  EMPTY_DESCRIBE_QUEUE,
  enqueueDescribe,
  forgetDescribed,
} from '../../../device/fleet/describe-queue.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i.toString(16).padStart(8, '0')}`);
const always = () => true;

describe('describe queue', () => {
  it('describes the first id of a region at once', () => {
    const { commands } = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    expect(commands).toEqual([{ type: 'describe', region: 'us-east-1', ids: ['i-00000001'] }]);
  });

  it('coalesces ids seen within a second into one scheduled call', () => {
    let { queue } = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    const second = enqueueDescribe(queue, 'us-east-1', 'i-00000002', 1200);
    expect(second.commands).toEqual([{ type: 'schedule-describe', region: 'us-east-1', afterMs: 800 }]);
    const third = enqueueDescribe(second.queue, 'us-east-1', 'i-00000003', 1300);
    const again = enqueueDescribe(third.queue, 'us-east-1', 'i-00000002', 1400);
    expect([third.commands, again.commands]).toEqual([[], []]);
    ({ queue } = again);
    expect(describeDue(queue, 'us-east-1', 2000, always).commands).toEqual([
      { type: 'describe', region: 'us-east-1', ids: ['i-00000002', 'i-00000003'] },
    ]);
  });

  it('keeps regions apart: each has its own interval', () => {
    const east = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    const west = enqueueDescribe(east.queue, 'eu-west-1', 'i-00000002', 1001);
    expect(west.commands).toEqual([{ type: 'describe', region: 'eu-west-1', ids: ['i-00000002'] }]);
  });

  it('skips ids no longer wanted when the timer fires, and sends nothing if none is left', () => {
    const first = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    const second = enqueueDescribe(first.queue, 'us-east-1', 'i-00000002', 1100);
    expect(describeDue(second.queue, 'us-east-1', 2000, () => false).commands).toEqual([]);
  });

  it('reschedules a timer that fires early instead of breaking the interval', () => {
    const first = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    const second = enqueueDescribe(first.queue, 'us-east-1', 'i-00000002', 1100);
    expect(describeDue(second.queue, 'us-east-1', 1990, always).commands).toEqual([
      { type: 'schedule-describe', region: 'us-east-1', afterMs: 10 },
    ]);
  });

  it(`sends at most ${DESCRIBE_BATCH} ids a call and schedules the rest`, () => {
    let queue = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-ffffffff', 0).queue;
    for (const id of ids(DESCRIBE_BATCH + 5)) queue = enqueueDescribe(queue, 'us-east-1', id, 10).queue;
    const due = describeDue(queue, 'us-east-1', 1000, always);
    expect(due.commands).toEqual([
      { type: 'describe', region: 'us-east-1', ids: ids(DESCRIBE_BATCH) },
      { type: 'schedule-describe', region: 'us-east-1', afterMs: 1000 },
    ]);
    expect(describeDue(due.queue, 'us-east-1', 2000, always).commands).toEqual([
      { type: 'describe', region: 'us-east-1', ids: ids(DESCRIBE_BATCH + 5).slice(DESCRIBE_BATCH) },
    ]);
  });

  it('forgets ids a listing described', () => {
    const first = enqueueDescribe(EMPTY_DESCRIBE_QUEUE, 'us-east-1', 'i-00000001', 1000);
    const second = enqueueDescribe(first.queue, 'us-east-1', 'i-00000002', 1100);
    const forgotten = forgetDescribed(second.queue, (id) => id === 'i-00000002');
    expect(describeDue(forgotten, 'us-east-1', 2000, always).commands).toEqual([]);
    expect(forgetDescribed(forgotten, () => false)).toBe(forgotten);
  });

  it('ignores a timer for a region it never saw', () => {
    expect(describeDue(EMPTY_DESCRIBE_QUEUE, 'ap-south-1', 0, always)).toEqual({
      queue: EMPTY_DESCRIBE_QUEUE,
      commands: [],
    });
  });
});
