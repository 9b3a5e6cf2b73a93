/**
 * I2C adapter over the `i2c-bus` native module (docs/reference/hardware.md §6.2), loaded lazily. Thin: every
 * decision lives in the board; every failure becomes an Error naming the fix (fixes.ts).
 * i2c-bus opens /dev/i2c-N only on the first transfer, so a missing bus or device shows up on the
 * first write, not in openI2cBus.
 */
import { i2cError } from './fixes.ts';
import { loadNative } from './native.ts';

/** SMBus "I2C block data" limit, checked by i2c-bus against I2C_SMBUS_I2C_BLOCK_MAX (§6.2). */
export const I2C_BLOCK_MAX = 32;

export interface I2cBus {
  /** One register write on the wire: [register, value]. */
  writeByte(address: number, register: number, value: number): Promise<void>;
  /** One I2C write [register, ...bytes] of at most I2C_BLOCK_MAX bytes; the chip auto-increments. */
  writeI2cBlock(address: number, register: number, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The part of i2c-bus's PromisifiedBus used here. */
interface PromisifiedBus {
  writeByte(address: number, command: number, byte: number): Promise<void>;
  writeI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

export interface I2cBusModule {
  openPromisified(busNumber: number): Promise<PromisifiedBus>;
}

export async function openI2cBus(
  busNumber: number,
  load: () => Promise<I2cBusModule> = () => loadNative<I2cBusModule>('i2c-bus'),
): Promise<I2cBus> {
  const native = await load();
  let bus: PromisifiedBus;
  try {
    bus = await native.openPromisified(busNumber);
  } catch (cause) {
    throw i2cError(busNumber, 0, cause);
  }
  return {
    async writeByte(address, register, value) {
      try {
        await bus.writeByte(address, register, value);
      } catch (cause) {
        throw i2cError(busNumber, address, cause);
      }
    },
    async writeI2cBlock(address, register, bytes) {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      try {
        await bus.writeI2cBlock(address, register, bytes.length, buffer);
      } catch (cause) {
        throw i2cError(busNumber, address, cause);
      }
    },
    close: () => bus.close(),
  };
}
