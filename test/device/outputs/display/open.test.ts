import { describe, expect, it } from 'vitest';
import { type DisplayOptions, displayOptionsSchema } from '../../../../device/config/display-options.ts';
import type { I2cBus } from '../../../../device/outputs/display/buses/i2c-bus.ts';
import type { SpiBusOptions } from '../../../../device/outputs/display/buses/spi-bus.ts';
import type { Ws281xOptions } from '../../../../device/outputs/display/buses/ws281x-channel.ts';
import { createDisplay, type DisplayDeps } from '../../../../device/outputs/display/open.ts';
import { blankFrame } from '../../../../device/picture/frame.ts';
import { FakeClock } from '../../../fakes/display/fake-clock.ts';
import { FakeI2cBus } from '../../../fakes/display/fake-i2c-bus.ts';
import { FakeLedsDevice } from '../../../fakes/display/fake-leds-device.ts';
import { FakeOutput } from '../../../fakes/display/fake-output.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';
import { FakeWs281xChannel } from '../../../fakes/display/fake-ws281x-channel.ts';
import { hex } from '../../../fakes/display/hex.ts';
import { at, onePixel, uniqueFrame } from './frames.ts';

function options(input: Record<string, unknown>): DisplayOptions {
  return displayOptionsSchema.parse(input);
}

/** Every adapter faked and recorded, so a test can see which bus a board asked for. */
function fakes(model = 'Raspberry Pi 4 Model B Rev 1.5') {
  const spi = new Map<number, FakeSpiBus>();
  const spiOptions: SpiBusOptions[] = [];
  const i2c = new FakeI2cBus();
  const i2cBuses: number[] = [];
  const leds = new FakeLedsDevice(64);
  const ledsOpened: [string, number][] = [];
  const channel = new FakeWs281xChannel();
  const channelOptions: Ws281xOptions[] = [];
  const modelReads: string[] = [];
  const output = new FakeOutput();
  const deps: DisplayDeps = {
    openSpiBus: async (o) => {
      spiOptions.push(o);
      const bus = new FakeSpiBus();
      spi.set(o.chipSelect, bus);
      return bus;
    },
    openI2cBus: async (n): Promise<I2cBus> => {
      i2cBuses.push(n);
      return i2c;
    },
    openLedsDevice: async (path, count) => {
      ledsOpened.push([path, count]);
      return leds;
    },
    openWs281xChannel: async (o) => {
      channelOptions.push(o);
      return channel;
    },
    readPiModel: async () => {
      modelReads.push(model);
      return model;
    },
    kernelRelease: () => '6.12.62+rpt-rpi-2712',
    clock: new FakeClock(),
    output,
    now: () => 0,
  };
  return {
    deps,
    spi,
    spiOptions,
    i2c,
    i2cBuses,
    leds,
    ledsOpened,
    channel,
    channelOptions,
    modelReads,
    output,
  };
}

describe('createDisplay', () => {
  it('defaults to a 16x16 terminal display', async () => {
    const f = fakes();
    const display = createDisplay(options({}), f.deps);
    expect([display.kind, display.width, display.height]).toEqual(['terminal', 16, 16]);
    await display.open();
    await display.render(blankFrame(16, 16));
    await display.close();
    expect(f.output.text()).toContain('▀');
  });

  it('opens nothing until open(): no bus, no device, no native module', () => {
    const f = fakes();
    for (const board of [
      'unicornhathd',
      'unicornhatmini',
      'rgbmatrix5x5',
      'ledshim',
      'unicornhat',
      'unicornphat',
    ]) {
      createDisplay(options({ board }), f.deps);
    }
    expect([f.spiOptions, f.i2cBuses, f.ledsOpened, f.channelOptions, f.modelReads]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
  });

  it.each([
    ['unicornhathd', 0, 16, 16],
    ['unicornhatmini', 90, 7, 17],
    ['rgbmatrix5x5', 0, 5, 5],
    ['ledshim', 270, 1, 28],
    ['unicornhat', 180, 8, 8],
    ['unicornphat', 90, 4, 8],
    ['none', 90, 16, 16],
  ])('gives %s at rotation %i a logical size of %ix%i', (board, rotation, width, height) => {
    const display = createDisplay(options({ board, rotation }), fakes().deps);
    expect([display.width, display.height]).toEqual([width, height]);
  });

  it('throws naming both sizes when a frame does not match the display', async () => {
    const f = fakes();
    const display = createDisplay(options({ board: 'unicornhatmini', rotation: 90 }), f.deps);
    await display.open();
    await expect(display.render(blankFrame(17, 7))).rejects.toThrow(
      'frame is 17x7 but display unicornhatmini (rotation 90) is 7x17; render frames of display.width x display.height',
    );
  });

  it('refuses to render before open and after close', async () => {
    const display = createDisplay(options({ board: 'none' }), fakes().deps);
    await expect(display.render(blankFrame(16, 16))).rejects.toThrow('display none (rotation 0) is not open');
    await display.open();
    await display.close();
    await expect(display.render(blankFrame(16, 16))).rejects.toThrow('is not open; call open() first');
  });

  it('wires the HAT HD to SPI CE0 at 9 MHz and applies brightness and gamma in software', async () => {
    const f = fakes();
    const display = createDisplay(options({ board: 'unicornhathd', spiBus: 1 }), f.deps);
    await display.open();
    await display.render(onePixel(16, 16, 0, 0, [255, 255, 255]));
    expect(f.spiOptions).toEqual([{ bus: 1, chipSelect: 0, speedHz: 9_000_000 }]);
    expect(Array.from(at(f.spi.get(0)?.transfers, -1).subarray(0, 4))).toEqual([0x72, 55, 55, 55]); // gamma[128] (docs/reference/hardware.md §7.1)
  });

  it('wires the HAT Mini to CE0 and CE1 at 600 kHz with a 2 µs hold, brightness in its register', async () => {
    const f = fakes();
    const display = createDisplay(
      options({ board: 'unicornhatmini', brightness: 0.25, gamma: false }),
      f.deps,
    );
    await display.open();
    await display.render(onePixel(17, 7, 0, 0, [255, 255, 255]));
    expect(f.spiOptions.map((o) => [o.chipSelect, o.speedHz, o.microSecondDelay])).toEqual([
      [0, 600_000, 2],
      [1, 600_000, 2],
    ]);
    const left = f.spi.get(0) ?? new FakeSpiBus();
    expect(left.log()).toContain('37 0F'); // int(63 * 0.25)
    expect(left.last()[2 + 139]).toBe(63); // full white, not dimmed in software
  });

  it('rotates and flips before encoding: logical top-left at 180 is the 5x5 bottom-right LED', async () => {
    const f = fakes();
    const display = createDisplay(
      options({ board: 'rgbmatrix5x5', rotation: 180, brightness: 1, gamma: false }),
      f.deps,
    );
    await display.open();
    f.i2c.clear();
    await display.render(onePixel(5, 5, 0, 0, [1, 2, 3]));
    const data = new Map<number, number>();
    for (const w of f.i2c.writes.filter((w) => w.kind === 'block')) {
      w.data.forEach((v, i) => {
        if (v !== 0) data.set(w.register + i - 0x24, v);
      });
    }
    expect([...data]).toEqual([
      [10, 1],
      [91, 2],
      [107, 3],
    ]); // LUT #24 (docs/reference/hardware.md §5.5)
  });

  it('uses the configured I2C bus and address, or the board default', async () => {
    const f = fakes();
    await createDisplay(options({ board: 'rgbmatrix5x5', i2cBus: 3, i2cAddress: '0x77' }), f.deps).open();
    await createDisplay(options({ board: 'ledshim' }), f.deps).open();
    expect(f.i2cBuses).toEqual([3, 1]);
    expect(new Set(f.i2c.writes.map((w) => w.address))).toEqual(new Set([0x77, 0x75]));
  });

  it('caps the Unicorn HAT at 50%: brightness 1 sends 128 for full white', async () => {
    const f = fakes('Raspberry Pi 5 Model B Rev 1.0');
    const display = createDisplay(options({ board: 'unicornhat', brightness: 1, gamma: false }), f.deps);
    await display.open();
    await display.render(onePixel(8, 8, 0, 0, [255, 255, 255]));
    expect(hex(at(f.leds.writes, -1).bytes.subarray(0, 4))).toBe('80 80 80 00');
  });

  it('drives the Unicorn HAT through /dev/leds0 on a Pi 5, with the configured device path', async () => {
    const f = fakes('Raspberry Pi 5 Model B Rev 1.0');
    await createDisplay(options({ board: 'unicornhat', ledsDevice: '/dev/leds1' }), f.deps).open();
    expect(f.ledsOpened).toEqual([['/dev/leds1', 64]]);
    expect(f.channelOptions).toEqual([]);
  });

  it.each([
    { release: '6.12.62+rpt-rpi-2712', brightness: '00', mode: 'pass-through' },
    { release: '6.12.56+rpt-rpi-2712', brightness: '00', mode: 'pass-through' },
    { release: '6.12.47+rpt-rpi-2712', brightness: 'FF', mode: 'kernel-gamma' },
    { release: '6.6.74+rpt-rpi-2712', brightness: 'FF', mode: 'kernel-gamma' },
  ])('on kernel $release, opens /dev/leds0 at brightness 0x$brightness ($mode)', async (c) => {
    const f = fakes('Raspberry Pi 5 Model B Rev 1.0');
    await createDisplay(options({ board: 'unicornhat' }), {
      ...f.deps,
      kernelRelease: () => c.release,
    }).open();
    expect(hex(at(f.leds.writes, 0).bytes)).toBe(c.brightness);
  });

  it('lights the same LEDs on a kernel without the pass-through as on one with it', async () => {
    const frame = uniqueFrame(8, 8);
    const shown = async (release: string, passThrough: boolean) => {
      const leds = new FakeLedsDevice(64, { passThrough });
      const display = createDisplay(options({ board: 'unicornhat', ws2812Backend: 'leds0' }), {
        ...fakes().deps,
        openLedsDevice: async () => leds,
        kernelRelease: () => release,
      });
      await display.open();
      await display.render(frame);
      return leds.lit();
    };
    const exact = await shown('6.12.62+rpt-rpi-2712', true);
    const compensated = await shown('6.12.47+rpt-rpi-2712', false);
    expect(exact.some((v) => v > 0)).toBe(true);
    // Where the kernel's table cannot express a level, the next step up: never darker, never off.
    for (let i = 0; i < exact.length; i++) {
      const want = exact[i] ?? 0;
      const got = compensated[i] ?? 0;
      expect(got >= want && (want === 0) === (got === 0), `channel ${i}: ${got} for ${want}`).toBe(true);
    }
  });

  it('drives the pHAT through rpi-ws281x on an older Pi, on DMA channel 10', async () => {
    const f = fakes('Raspberry Pi 3 Model B Plus Rev 1.3');
    await createDisplay(options({ board: 'unicornphat' }), f.deps).open();
    expect(f.channelOptions).toEqual([{ leds: 32, dma: 10 }]);
    expect(f.ledsOpened).toEqual([]);
  });

  it('does not read the Pi model when the backend is set explicitly', async () => {
    const f = fakes('Raspberry Pi 5 Model B Rev 1.0');
    await createDisplay(
      options({ board: 'unicornhat', ws2812Backend: 'rpi-ws281x', dmaChannel: 11 }),
      f.deps,
    ).open();
    expect(f.modelReads).toEqual([]);
    expect(f.channelOptions).toEqual([{ leds: 64, dma: 11 }]);
  });

  it('shows logical colours on the terminal: no rotation, brightness or gamma', async () => {
    const f = fakes();
    const display = createDisplay(
      options({ rotation: 90, brightness: 0.1, gamma: true, virtualWidth: 4, virtualHeight: 2 }),
      f.deps,
    );
    expect([display.width, display.height]).toEqual([4, 2]);
    await display.open();
    await display.render(onePixel(4, 2, 0, 0, [200, 100, 50]));
    expect(f.output.last()).toContain('\x1b[38;2;200;100;50m');
  });

  it("refuses 'web', which has no display (the agent shows the web board alone), and says so", () => {
    expect(() => createDisplay(options({ board: 'web' }), {})).toThrow(
      "display.board 'web' has no display to open: the agent shows the web board alone",
    );
  });
});

describe('display lifecycle', () => {
  it('rejects open with the device error and leaves close safe to call', async () => {
    const cause = new Error('/dev/spidev0.0 does not exist: SPI is off');
    const display = createDisplay(options({ board: 'unicornhathd' }), {
      openSpiBus: async () => {
        throw cause;
      },
    });
    await expect(display.open()).rejects.toBe(cause);
    await display.close();
    await display.close();
  });

  it('releases the bus when init fails half way, and reports the init error', async () => {
    const bus = new FakeI2cBus();
    bus.failWith = Object.assign(new Error('no device answered at 0x74'), { code: 'EREMOTEIO' });
    const display = createDisplay(options({ board: 'rgbmatrix5x5' }), { openI2cBus: async () => bus });
    await expect(display.open()).rejects.toThrow('no device answered at 0x74');
    expect(bus.closeCount).toBe(1);
    await display.close();
    expect(bus.closeCount).toBe(1);
  });

  it('waits for an open in flight when closed, then blanks and releases the bus', async () => {
    const bus = new FakeSpiBus();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const display = createDisplay(options({ board: 'unicornhathd' }), {
      openSpiBus: async () => {
        await gate;
        return bus;
      },
      clock: new FakeClock(),
    });
    const opened = display.open();
    const closed = display.close();
    release();
    await opened;
    await closed;
    expect(bus.transfers).toHaveLength(2); // the blank of open, the blank of close
    expect(bus.closeCount).toBe(1);
  });

  it('blanks once however many callers close at the same time, and can be opened again', async () => {
    const f = fakes();
    const display = createDisplay(options({ board: 'unicornhathd' }), f.deps);
    await display.open();
    await display.render(uniqueFrame(16, 16));
    const bus = f.spi.get(0) ?? new FakeSpiBus();
    bus.clear();
    await Promise.all([display.close(), display.close(), display.close()]);
    expect(bus.transfers).toHaveLength(1);
    expect(bus.last().every((b, i) => (i === 0 ? b === 0x72 : b === 0))).toBe(true);
    expect(bus.closeCount).toBe(1);
    await display.open();
    await display.render(uniqueFrame(16, 16));
    expect(f.spiOptions).toHaveLength(2);
  });
});
