/** The counted, rate-limited drop warning, under vitest's fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../device/base/log.ts';
import { createDropReport } from '../../../device/sources/drop-report.ts';

const lines: Array<{ msg: string; context: Record<string, unknown> }> = [];
const log = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  lines.length = 0;
});

describe('drop report', () => {
  it('tells the first drop at once, then one line per interval with the counts', () => {
    const report = createDropReport({
      log,
      message: 'dropped',
      context: { fix: 'add it' },
      intervalMs: 1_000,
    });
    report.drop('a');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'dropped',
        context: { fix: 'add it', dropped: 1, total: 1, counts: { a: 1 } },
      }),
    ]);
    for (let i = 0; i < 500; i++) report.drop(i % 2 === 0 ? 'a' : 'b');
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.context).toMatchObject({ dropped: 500, total: 501, counts: { a: 250, b: 250 } });
    // A quiet interval stops the timer; the next drop is told at once again.
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    report.drop('b');
    expect(lines).toHaveLength(3);
    report.close();
  });

  it('caps the keys a hostile sender can make and cuts long ones short', () => {
    const report = createDropReport({ log, message: 'dropped', intervalMs: 1_000 });
    report.drop('x'.repeat(500));
    for (let i = 0; i < 100; i++) report.drop(`key-${i}`);
    report.close();
    const counts = lines[1]?.context.counts as Record<string, number>;
    expect(Object.keys(lines[0]?.context.counts as object)).toEqual([`${'x'.repeat(80)}...`]);
    expect(Object.keys(counts)).toHaveLength(21); // 20 keys and "(other)"
    expect(counts['(other)']).toBe(80);
  });

  it('logs what is still counted when closed, and nothing when nothing is', () => {
    const report = createDropReport({ log, message: 'dropped' });
    report.close();
    expect(lines).toEqual([]);
    report.drop('a');
    report.drop('a');
    report.close();
    expect(lines.map((line) => line.context.dropped)).toEqual([1, 1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
