/**
 * A recording I2C bus with the real one's limits: a block write of more than 32 bytes throws like
 * i2c-bus does, and a write can be made to fail with an errno-style error.
 */
import { I2C_BLOCK_MAX, type I2cBus } from '../../../device/outputs/display/buses/i2c-bus.ts';
import { hex } from './hex.ts';

export interface I2cWrite {
  readonly kind: 'byte' | 'block';
  readonly address: number;
  readonly register: number;
  readonly data: readonly number[];
}

export class FakeI2cBus implements I2cBus {
  readonly writes: I2cWrite[] = [];
  closeCount = 0;
  /** When set, every write rejects with this error (and is not recorded). */
  failWith: Error | undefined;

  async writeByte(address: number, register: number, value: number): Promise<void> {
    this.#check();
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new Error(`Invalid byte ${value}`);
    this.writes.push({ kind: 'byte', address, register, data: [value] });
  }

  async writeI2cBlock(address: number, register: number, bytes: Uint8Array): Promise<void> {
    this.#check();
    if (bytes.length > I2C_BLOCK_MAX) throw new Error(`Invalid buffer length ${bytes.length}`);
    this.writes.push({ kind: 'block', address, register, data: Array.from(bytes) });
  }

  async close(): Promise<void> {
    this.closeCount++;
  }

  /** Each write as "74: FD 0B": address, then the bytes on the wire (register, data). */
  log(): string[] {
    return this.writes.map((w) => `${hex([w.address])}: ${hex([w.register, ...w.data])}`);
  }

  clear(): void {
    this.writes.length = 0;
  }

  #check(): void {
    if (this.failWith !== undefined) throw this.failWith;
  }
}
