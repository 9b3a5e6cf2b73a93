import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledsWriteError, nativeLoadError } from '../../../../device/outputs/display/buses/fixes.ts';
import { type I2cBusModule, openI2cBus } from '../../../../device/outputs/display/buses/i2c-bus.ts';
import { openLedsDevice } from '../../../../device/outputs/display/buses/leds-device.ts';
import { readPiModel } from '../../../../device/outputs/display/buses/pi-model.ts';
import { openSpiBus, type SpiDeviceModule } from '../../../../device/outputs/display/buses/spi-bus.ts';
import {
  openWs281xChannel,
  type Ws281xModule,
} from '../../../../device/outputs/display/buses/ws281x-channel.ts';

const temporary: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ec2led-display-'));
  temporary.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** An spi-device stand-in: open fails with `openError` or records transfers. */
function fakeSpiModule(openError?: Error) {
  const sent: { byteLength: number; data: number[]; speedHz: number; microSecondDelay?: number }[] = [];
  const module: SpiDeviceModule = {
    open(_bus, _device, _options, callback) {
      setImmediate(() => callback(openError ?? null));
      return {
        transfer(message, cb) {
          for (const m of message) sent.push({ ...m, data: Array.from(m.sendBuffer) });
          setImmediate(() => cb(null));
        },
        close: (cb) => setImmediate(() => cb(null)),
      };
    },
  };
  return { module, sent };
}

/** An i2c-bus stand-in whose writes fail with `writeError`, or record. */
function fakeI2cModule(writeError?: Error) {
  const blocks: { length: number; isBuffer: boolean }[] = [];
  const module: I2cBusModule = {
    openPromisified: async () => ({
      writeByte: async () => {
        if (writeError) throw writeError;
      },
      writeI2cBlock: async (_a, _c, length, buffer) => {
        if (writeError) throw writeError;
        blocks.push({ length, isBuffer: Buffer.isBuffer(buffer) });
      },
      close: async () => {},
    }),
  };
  return { module, blocks };
}

describe('SPI adapter errors name the fix', () => {
  it('says SPI is off and how to enable it when /dev/spidev0.0 is missing', async () => {
    const cause = errno('ENOENT');
    const { module } = fakeSpiModule(cause);
    const error = await openSpiBus({ bus: 0, chipSelect: 0, speedHz: 9e6 }, async () => module).catch(
      (e) => e,
    );
    expect(error.message).toMatch(/^\/dev\/spidev0\.0 does not exist: SPI is off/);
    expect(error.message).toContain('sudo raspi-config nonint do_spi 0');
    expect(error.message).toContain('dtparam=spi=on');
    expect(error.cause).toBe(cause);
  });

  it('says which group to join on permission denied', async () => {
    const { module } = fakeSpiModule(errno('EACCES'));
    await expect(openSpiBus({ bus: 0, chipSelect: 1, speedHz: 6e5 }, async () => module)).rejects.toThrow(
      /permission denied opening \/dev\/spidev0\.1: add the agent's user to the spi group/,
    );
  });

  it('says the same with the real spi-device module when the device node does not exist', async () => {
    await expect(openSpiBus({ bus: 99, chipSelect: 0, speedHz: 9e6 })).rejects.toThrow(
      /\/dev\/spidev99\.0 does not exist: SPI is off\. Enable it with `sudo raspi-config nonint do_spi 0`/,
    );
  });

  it('sends each transfer as one message with the clock and chip-select hold asked for', async () => {
    const { module, sent } = fakeSpiModule();
    const bus = await openSpiBus(
      { bus: 0, chipSelect: 1, speedHz: 600_000, microSecondDelay: 2 },
      async () => module,
    );
    await bus.transfer(Uint8Array.of(0x35, 0x03));
    await bus.close();
    expect(sent).toEqual([
      {
        byteLength: 2,
        data: [0x35, 0x03],
        sendBuffer: expect.any(Buffer),
        speedHz: 600_000,
        microSecondDelay: 2,
      },
    ]);
  });
});

describe('I2C adapter errors name the fix', () => {
  it('says I2C is off and how to enable it when /dev/i2c-1 is missing', async () => {
    const { module } = fakeI2cModule(errno('ENOENT'));
    const bus = await openI2cBus(1, async () => module);
    await expect(bus.writeByte(0x74, 0xfd, 0x0b)).rejects.toThrow(
      /\/dev\/i2c-1 does not exist: I2C is off\. Enable it with `sudo raspi-config nonint do_i2c 0`/,
    );
  });

  it('says which group to join on permission denied', async () => {
    const { module } = fakeI2cModule(errno('EACCES'));
    const bus = await openI2cBus(1, async () => module);
    await expect(bus.writeI2cBlock(0x75, 0x24, new Uint8Array(32))).rejects.toThrow(
      /add the agent's user to the i2c group/,
    );
  });

  it('names the address and i2cdetect when nothing answers', async () => {
    const { module } = fakeI2cModule(errno('EREMOTEIO'));
    const bus = await openI2cBus(1, async () => module);
    const error = await bus.writeByte(0x77, 0xfd, 0x0b).catch((e) => e);
    expect(error.message).toMatch(/^no device answered at 0x77 on \/dev\/i2c-1/);
    expect(error.message).toContain('i2cdetect -y 1');
    expect(error.message).toContain('display.i2cAddress');
  });

  it('says the same with the real i2c-bus module, whose first write opens the device', async () => {
    const bus = await openI2cBus(99);
    await expect(bus.writeByte(0x74, 0xfd, 0x0b)).rejects.toThrow(/\/dev\/i2c-99 does not exist: I2C is off/);
    await bus.close();
  });

  it('hands i2c-bus a Buffer of the block length', async () => {
    const { module, blocks } = fakeI2cModule();
    const bus = await openI2cBus(1, async () => module);
    await bus.writeI2cBlock(0x74, 0x24, new Uint8Array(64).subarray(32, 48));
    expect(blocks).toEqual([{ length: 16, isBuffer: true }]);
  });
});

describe('/dev/leds0 adapter (Pi 5)', () => {
  it('names the exact overlay line when the device does not exist', async () => {
    const dir = await tempDir();
    const error = await openLedsDevice(join(dir, 'leds0'), 64).catch((e) => e);
    expect(error.message).toContain('does not exist');
    expect(error.message).toContain('`dtoverlay=ws2812-pio,gpio=18,num_leds=64`');
    expect(error.message).toContain('/boot/firmware/config.txt');
    expect(error.cause.code).toBe('ENOENT');
  });

  it('refuses a regular file where the device should be, naming the pHAT overlay line', async () => {
    const dir = await tempDir();
    const path = join(dir, 'leds0');
    await writeFile(path, '');
    await expect(openLedsDevice(path, 32)).rejects.toThrow(
      /is not a character device.*`dtoverlay=ws2812-pio,gpio=18,num_leds=32`/,
    );
  });

  it('opens a character device and writes at the position given', async () => {
    const device = await openLedsDevice('/dev/null', 64);
    await device.write(new Uint8Array(256), 0);
    await device.close();
  });

  it('explains ENOSPC as an overlay with too few LEDs', () => {
    expect(ledsWriteError('/dev/leds0', 64, errno('ENOSPC')).message).toBe(
      "writing 256 bytes to /dev/leds0 failed (ENOSPC): the overlay drives fewer LEDs than the board's 64; " +
        'use `dtoverlay=ws2812-pio,gpio=18,num_leds=64` in /boot/firmware/config.txt and reboot',
    );
  });
});

describe('rpi-ws281x adapter (Pi 4 and older)', () => {
  it('refuses to run without root instead of loading the silent stub, and never loads the module', async () => {
    let loaded = false;
    const error = await openWs281xChannel(
      { leds: 64, dma: 10 },
      {
        getuid: () => 1000,
        load: async () => {
          loaded = true;
          throw new Error('should not load');
        },
      },
    ).catch((e) => e);
    expect(loaded).toBe(false);
    expect(error.message).toMatch(/needs root .* runs as uid 1000/);
    expect(error.message).toContain("display.ws2812Backend 'leds0'");
  });

  it('explains "Hardware revision is not supported" with the Pi 5 route', async () => {
    const refusing: Ws281xModule = () => {
      throw new Error('Hardware revision is not supported');
    };
    const error = await openWs281xChannel(
      { leds: 64, dma: 10 },
      { getuid: () => 0, load: async () => refusing },
    ).catch((e) => e);
    expect(error.message).toContain('rpi-ws281x-native 1.0.4 bundles a 2021 rpi_ws281x');
    expect(error.message).toContain("set display.ws2812Backend to 'leds0'");
    expect(error.cause.message).toBe('Hardware revision is not supported');
  });

  it('starts the channel on GPIO18 at 800 kHz with the DMA channel given, brightness 255, GRB strip', async () => {
    const calls: unknown[] = [];
    const array = new Uint32Array(64);
    let rendered = 0;
    let finalized = 0;
    const module: Ws281xModule = (leds, options) => {
      calls.push({ leds, ...options });
      return { array, render: () => rendered++, finalize: () => finalized++ };
    };
    const channel = await openWs281xChannel(
      { leds: 64, dma: 10 },
      { getuid: () => 0, load: async () => module },
    );
    await channel.render(Uint32Array.of(0x112233));
    await channel.close();
    expect(calls).toEqual([
      { leds: 64, dma: 10, freq: 800_000, gpio: 18, invert: false, brightness: 255, stripType: 'ws2812' },
    ]);
    expect([array[0], rendered, finalized]).toEqual([0x112233, 1, 1]);
  });
});

describe('other adapters', () => {
  it('reads the Pi model without its trailing NUL', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model');
    await writeFile(path, 'Raspberry Pi 5 Model B Rev 1.0\0');
    expect(await readPiModel(path)).toBe('Raspberry Pi 5 Model B Rev 1.0');
  });

  it('says how to choose the WS2812 driver by hand when the model cannot be read', async () => {
    await expect(readPiModel('/nonexistent/model')).rejects.toThrow(
      /could not read the Pi model from \/nonexistent\/model .*Set display\.ws2812Backend to 'leds0' \(Pi 5\)/,
    );
  });

  it('explains a native module that failed to build or load', () => {
    const error = nativeLoadError('spi-device', new Error('Cannot find module'));
    expect(error.message).toContain(
      'could not load the optional native module spi-device (Cannot find module)',
    );
    expect(error.message).toContain('npm ci');
  });
});
