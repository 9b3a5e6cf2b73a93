/**
 * WS2812 on GPIO18 through PWM + DMA on a Pi 4 or older, via `rpi-ws281x-native` 1.0.4's v1 API
 * (docs/reference/hardware.md §6.1): `ws281x(count, options)` gives a channel whose `array` holds 0x00RRGGBB values;
 * `render()` sends it, `finalize()` releases the driver. Loaded lazily.
 *
 * Two traps of that module are closed here:
 * - Not root, it returns a stub that silently does nothing (rpi-ws281x-native/lib/get-native-bindings.js),
 *   so we check the uid first and fail with the fix instead of showing nothing.
 * - Its code default DMA channel is 5, which corrupts SD cards on a Pi 3; the caller always passes
 *   the configured channel (default 10).
 */
import { ws281xInitError, ws281xRootError } from './fixes.ts';
import { loadNative } from './native.ts';

export interface Ws281xOptions {
  readonly leds: number;
  readonly dma: number;
}

export interface Ws281xChannel {
  /** Copies one 0x00RRGGBB value per LED into the channel and renders it. */
  render(colors: Uint32Array): Promise<void>;
  /** Releases the driver; does not blank (the board renders black first). */
  close(): Promise<void>;
}

interface NativeChannel {
  readonly array: Uint32Array;
  render(): void;
  finalize(): void;
}

export type Ws281xModule = (
  leds: number,
  options: {
    dma: number;
    freq: number;
    gpio: number;
    invert: boolean;
    brightness: number;
    stripType: string;
  },
) => NativeChannel;

export interface Ws281xDeps {
  readonly getuid: () => number;
  readonly load: () => Promise<Ws281xModule>;
}

const realDeps: Ws281xDeps = {
  getuid: () => process.getuid?.() ?? -1,
  load: () => loadNative<Ws281xModule>('rpi-ws281x-native'),
};

export async function openWs281xChannel(
  options: Ws281xOptions,
  deps: Ws281xDeps = realDeps,
): Promise<Ws281xChannel> {
  const uid = deps.getuid();
  if (uid !== 0) throw ws281xRootError(uid, options.leds);
  const ws281x = await deps.load();
  let channel: NativeChannel;
  try {
    // 800 kHz, GPIO18 (PWM0), not inverted, GRB strip (docs/reference/hardware.md §2.1). Brightness 255 makes the
    // library's scaling (v * (255 + 1)) >> 8 = v an identity, and 1.0.4 sets no gamma table, so the
    // values the mapping computed reach the LEDs unchanged (§6.1, §7.2).
    channel = ws281x(options.leds, {
      dma: options.dma,
      freq: 800_000,
      gpio: 18,
      invert: false,
      brightness: 255,
      stripType: 'ws2812',
    });
  } catch (cause) {
    throw ws281xInitError(cause);
  }
  return {
    async render(colors) {
      channel.array.set(colors);
      channel.render();
    },
    async close() {
      channel.finalize();
    },
  };
}
