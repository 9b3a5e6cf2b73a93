/** Virtual time: sleep advances the clock at once and records how long it was asked to wait. */
import type { Clock } from '../../../device/outputs/display/boards/frame-pacer.ts';

export class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    await Promise.resolve();
    this.time += ms;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
