/**
 * (f) Per board: frame encoding time and bytes per frame on the bus. Each board runs its real
 * driver and mapping over counting buses (no hardware here), so the time is our encoding and the
 * mapping, not the wire; bytes are what the wire would carry for one full frame.
 */
import type { BoardKind } from '../device/config/display-options.ts';
import { DEFAULT_DISPLAY_OPTIONS, type DisplayOptions } from '../device/config/display-options.ts';
import { createDisplay } from '../device/outputs/display/open.ts';
import type { Frame } from '../device/picture/frame.ts';
import type { Metric, Section } from './report.ts';

const PHYSICAL: readonly BoardKind[] = [
  'unicornhathd',
  'unicornhatmini',
  'rgbmatrix5x5',
  'ledshim',
  'unicornhat',
  'unicornphat',
];

function counter() {
  const count = { bytes: 0, writes: 0 };
  const add = (n: number) => {
    count.bytes += n;
    count.writes += 1;
  };
  return { count, add };
}

function randomFrame(width: number, height: number, seed: number): Frame {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + seed * 11) & 0xff;
  return { width, height, rgb };
}

export async function benchBoards(): Promise<Section> {
  const metrics: Metric[] = [];
  for (const board of PHYSICAL) {
    const { count, add } = counter();
    const options: DisplayOptions = { ...DEFAULT_DISPLAY_OPTIONS, board, ws2812Backend: 'leds0' };
    const display = createDisplay(options, {
      openSpiBus: async () => ({ transfer: async (bytes) => add(bytes.length), close: async () => {} }),
      // One I2C register write is [register, value] on the wire; a block write is [register, ...bytes].
      openI2cBus: async () => ({
        writeByte: async () => add(2),
        writeI2cBlock: async (_a, _r, bytes) => add(bytes.length + 1),
        close: async () => {},
      }),
      openLedsDevice: async () => ({ write: async (bytes) => add(bytes.length), close: async () => {} }),
      // Frame pacing (HAT HD) would sleep 8.3 ms per frame: measure encoding, not the pacing.
      clock: { now: () => 0, sleep: async () => {} },
    });
    await display.open();
    const frames = Array.from({ length: 8 }, (_, i) => randomFrame(display.width, display.height, i));
    for (const frame of frames) await display.render(frame); // warm-up
    count.bytes = 0;
    count.writes = 0;
    const rounds = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await display.render(frames[i % frames.length] as Frame);
    const perFrameUs = Number(process.hrtime.bigint() - start) / 1e3 / rounds;
    const { bytes, writes } = count;
    await display.close();
    metrics.push(
      {
        name: `${board} ${display.width}x${display.height}: encode + map per frame`,
        value: perFrameUs,
        unit: 'µs',
      },
      {
        name: `${board}: bytes per frame on the bus`,
        value: bytes / rounds,
        unit: 'B',
        note: `${writes / rounds} writes`,
      },
    );
  }
  return { id: 'boards', title: '(f) Boards: frame encoding (real drivers, counting buses)', metrics };
}
