/**
 * A LineEvents (device/sources/buttons/line-events.ts) the test drives by hand: edges stamped on the test's
 * clock in ms (as the kernel stamps them on CLOCK_MONOTONIC in ns), and reader restarts.
 */
import type { Edge, LineEvents, LineListener } from '../../device/sources/buttons/line-events.ts';

export class FakeLineEvents implements LineEvents {
  listener: LineListener | undefined;
  stopped = false;
  start(listener: LineListener): void {
    this.listener = listener;
  }
  stop(): Promise<void> {
    this.stopped = true;
    this.listener = undefined;
    return Promise.resolve();
  }
  edge(line: number, edge: Edge, atMs: number): void {
    this.listener?.onEvent({ line, edge, timestampNs: BigInt(Math.round(atMs * 1_000_000)) });
  }
  /** An active-low button pressed (the line falls). */
  down(line: number, atMs: number): void {
    this.edge(line, 'falling', atMs);
  }
  up(line: number, atMs: number): void {
    this.edge(line, 'rising', atMs);
  }
  restart(reason = 'gpiomon exited with code 1'): void {
    this.listener?.onReset(reason);
  }
}
