/**
 * SPI adapter over the `spi-device` native module (docs/reference/hardware.md §6.3), loaded lazily. One SpiBus is one
 * chip select, /dev/spidev<bus>.<chipSelect>; a frame is one transfer. spi-device has no promise API,
 * so the callbacks are wrapped here. spidev caps a message at 4096 bytes (§1); our largest is 769.
 */
import { spiOpenError } from './fixes.ts';
import { loadNative } from './native.ts';

export interface SpiBusOptions {
  readonly bus: number;
  readonly chipSelect: 0 | 1;
  readonly speedHz: number;
  /** Delay after the last bit before chip select rises, in µs (HT16D35 needs >= 2, §4.1). */
  readonly microSecondDelay?: number;
}

export interface SpiBus {
  transfer(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

type Callback = (error: Error | null | undefined) => void;

/** The part of spi-device's SpiDevice used here. */
interface SpiDevice {
  transfer(
    message: { byteLength: number; sendBuffer: Buffer; speedHz: number; microSecondDelay?: number }[],
    callback: Callback,
  ): unknown;
  close(callback: Callback): void;
}

export interface SpiDeviceModule {
  open(
    bus: number,
    device: number,
    options: { mode: number; maxSpeedHz: number },
    callback: Callback,
  ): SpiDevice;
}

export function spiPath(options: Pick<SpiBusOptions, 'bus' | 'chipSelect'>): string {
  return `/dev/spidev${options.bus}.${options.chipSelect}`;
}

export async function openSpiBus(
  options: SpiBusOptions,
  load: () => Promise<SpiDeviceModule> = () => loadNative<SpiDeviceModule>('spi-device'),
): Promise<SpiBus> {
  const native = await load();
  const path = spiPath(options);
  // Mode 0, 8 bits, MSB first: the spidev defaults the Pimoroni libraries rely on (§3, §4.1).
  let opened: SpiDevice | undefined;
  await new Promise<void>((resolve, reject) => {
    opened = native.open(
      options.bus,
      options.chipSelect,
      { mode: 0, maxSpeedHz: options.speedHz },
      (error) => (error ? reject(spiOpenError(path, error)) : resolve()),
    );
  });
  const device = opened as SpiDevice;
  return {
    transfer: (bytes) =>
      new Promise<void>((resolve, reject) => {
        const message = {
          byteLength: bytes.length,
          sendBuffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
          speedHz: options.speedHz,
          ...(options.microSecondDelay === undefined ? {} : { microSecondDelay: options.microSecondDelay }),
        };
        device.transfer([message], (error) =>
          error
            ? reject(new Error(`SPI transfer on ${path} failed: ${error.message}`, { cause: error }))
            : resolve(),
        );
      }),
    close: () =>
      new Promise<void>((resolve, reject) => device.close((error) => (error ? reject(error) : resolve()))),
  };
}
