/** A recording SPI bus: one entry per transfer, copied, so later mutation cannot rewrite history. */
import type { SpiBus } from '../../../device/outputs/display/buses/spi-bus.ts';
import { hex } from './hex.ts';

export class FakeSpiBus implements SpiBus {
  readonly transfers: Uint8Array[] = [];
  closeCount = 0;
  /** When set, transfers reject with this error. */
  failWith: Error | undefined;
  /** Called after each recorded transfer, e.g. to read a fake clock. */
  onTransfer: (() => void) | undefined;

  async transfer(bytes: Uint8Array): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.transfers.push(Uint8Array.from(bytes));
    this.onTransfer?.();
  }

  async close(): Promise<void> {
    this.closeCount++;
  }

  log(): string[] {
    return this.transfers.map((t) => hex(t));
  }

  last(): Uint8Array {
    const last = this.transfers.at(-1);
    if (last === undefined) throw new Error('no transfer recorded');
    return last;
  }

  clear(): void {
    this.transfers.length = 0;
  }
}
