/** A runtime Clock (device/agent/runtime.ts) whose timers run only in `advance`, in time order. */
import type { Clock } from '../../device/base/clock.ts';

export class TimerClock implements Clock {
  nowMs: number;
  #next = 0;
  readonly timers = new Map<number, { at: number; callback: () => void }>();
  constructor(nowMs = 1_000_000) {
    this.nowMs = nowMs;
  }
  now = () => this.nowMs;
  setTimeout = (callback: () => void, ms: number): unknown => {
    this.#next += 1;
    this.timers.set(this.#next, { at: this.nowMs + Math.max(0, ms), callback });
    return this.#next;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };
  /** Moves time forward, firing each due timer at its own time; settles promises between timers. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.nowMs = due[1].at;
      due[1].callback();
    }
    this.nowMs = end;
    await settle();
  }
}

/** Lets pending promise callbacks run (a few microtask turns). */
export const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
