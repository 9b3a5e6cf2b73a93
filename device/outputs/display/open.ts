/**
 * createDisplay: the one place that turns `display` options into a Display. It picks the board,
 * wires it to its bus (the real adapters by default, fakes in tests), and wraps it with the mapping
 * so callers render logical frames. Nothing is opened here: buses and native modules are touched
 * only by `open()` of the chosen board (every driver module is imported; each is plain code).
 */
import { release } from 'node:os';
import type { DisplayOptions } from '../../config/display-options.ts';
import type { Board } from './boards/board.ts';
import { type Clock, systemClock } from './boards/frame-pacer.ts';
import { createLedShim, LED_SHIM_ADDRESS } from './boards/ledshim.ts';
import { createNoneBoard } from './boards/none.ts';
import { createRgbMatrix5x5, RGB_MATRIX_5X5_ADDRESS } from './boards/rgbmatrix5x5.ts';
import { createTerminalBoard, type TerminalOutput } from './boards/terminal.ts';
import { createUnicornHat, UNICORN_HAT, UNICORN_PHAT } from './boards/unicornhat.ts';
import { createUnicornHatHd, HD_SPEED_HZ } from './boards/unicornhathd.ts';
import { createUnicornHatMini, MINI_CS_HOLD_US, MINI_SPEED_HZ } from './boards/unicornhatmini.ts';
import { chooseWs2812Backend, leds0Mode } from './boards/ws2812-backend.ts';
import { openLeds0Strip, openWs281xStrip, type Ws2812Strip } from './boards/ws2812-strip.ts';
import { ws2812BoardName } from './buses/fixes.ts';
import { type I2cBus, openI2cBus } from './buses/i2c-bus.ts';
import { type LedsDevice, openLedsDevice } from './buses/leds-device.ts';
import { PI_MODEL_PATH, readPiModel } from './buses/pi-model.ts';
import { openSpiBus, type SpiBus, type SpiBusOptions } from './buses/spi-bus.ts';
import { openWs281xChannel, type Ws281xChannel, type Ws281xOptions } from './buses/ws281x-channel.ts';
import type { Display } from './display.ts';
import { mappedDisplay, mappingFor } from './mapped-display.ts';

/** Everything createDisplay touches outside pure code; each defaults to the real thing. */
export interface DisplayDeps {
  readonly openI2cBus?: (busNumber: number) => Promise<I2cBus>;
  readonly openSpiBus?: (options: SpiBusOptions) => Promise<SpiBus>;
  readonly openLedsDevice?: (path: string, leds: number) => Promise<LedsDevice>;
  /** The kernel release (`uname -r`), which decides the /dev/leds0 mode. Default os.release. */
  readonly kernelRelease?: () => string;
  readonly openWs281xChannel?: (options: Ws281xOptions) => Promise<Ws281xChannel>;
  /** The Pi model string; read only for a WS2812 board with ws2812Backend 'auto'. */
  readonly readPiModel?: () => Promise<string>;
  /** Frame pacing (Unicorn HAT HD). */
  readonly clock?: Clock;
  /** Terminal board: where to draw (default process.stdout). */
  readonly output?: TerminalOutput;
  /** Terminal board: epoch milliseconds for the "since" column. */
  readonly now?: () => number;
  /** Terminal board: lines under the status line ("\n" between them), read once per frame. */
  readonly caption?: () => string;
  /** Terminal board: redraw the last frame this often (ms), so the caption's clock moves. Default never. */
  readonly refreshMs?: number;
  /** Terminal board: the "since" cell (default formatAge over the real clock). */
  readonly age?: (sinceMs: number, nowMs: number) => string;
  /**
   * Terminal board: plain text, written on change only (terminal.ts). Default: true when drawing on
   * process.stdout and it is not a TTY (a pipe, a file, journald), false for an injected output.
   */
  readonly plain?: boolean;
}

function openWs2812(options: DisplayOptions, deps: DisplayDeps, leds: number): () => Promise<Ws2812Strip> {
  return async () => {
    const board = ws2812BoardName(leds);
    const readModel = deps.readPiModel ?? (() => readPiModel(PI_MODEL_PATH, board));
    const model = options.ws2812Backend === 'auto' ? await readModel() : '';
    if (chooseWs2812Backend(options.ws2812Backend, model, board) === 'leds0') {
      const openLeds = deps.openLedsDevice ?? openLedsDevice;
      const mode = leds0Mode((deps.kernelRelease ?? release)());
      return openLeds0Strip(() => openLeds(options.ledsDevice, leds), mode);
    }
    const openChannel = deps.openWs281xChannel ?? ((o: Ws281xOptions) => openWs281xChannel(o));
    return openWs281xStrip(() => openChannel({ leds, dma: options.dmaChannel }));
  };
}

function createBoard(options: DisplayOptions, deps: DisplayDeps): Board {
  const openSpi = deps.openSpiBus ?? ((o: SpiBusOptions) => openSpiBus(o));
  const openI2c = () => (deps.openI2cBus ?? ((n: number) => openI2cBus(n)))(options.i2cBus);
  const { virtualWidth: width, virtualHeight: height } = options;
  switch (options.board) {
    case 'unicornhathd':
      return createUnicornHatHd({
        openSpi: () => openSpi({ bus: options.spiBus, chipSelect: 0, speedHz: HD_SPEED_HZ }),
        clock: deps.clock ?? systemClock,
      });
    case 'unicornhatmini':
      return createUnicornHatMini({
        openSpi: (chipSelect) =>
          openSpi({
            bus: options.spiBus,
            chipSelect,
            speedHz: MINI_SPEED_HZ,
            microSecondDelay: MINI_CS_HOLD_US,
          }),
        brightness: options.brightness,
      });
    case 'rgbmatrix5x5':
      return createRgbMatrix5x5(openI2c, options.i2cAddress ?? RGB_MATRIX_5X5_ADDRESS);
    case 'ledshim':
      return createLedShim(openI2c, options.i2cAddress ?? LED_SHIM_ADDRESS);
    case 'unicornhat':
      return createUnicornHat(
        'unicornhat',
        openWs2812(options, deps, UNICORN_HAT.width * UNICORN_HAT.height),
      );
    case 'unicornphat':
      return createUnicornHat(
        'unicornphat',
        openWs2812(options, deps, UNICORN_PHAT.width * UNICORN_PHAT.height),
      );
    case 'terminal':
      return createTerminalBoard({
        output: deps.output ?? process.stdout,
        width,
        height,
        ...(deps.now === undefined ? {} : { now: deps.now }),
        ...(deps.caption === undefined ? {} : { caption: deps.caption }),
        ...(deps.refreshMs === undefined ? {} : { refreshMs: deps.refreshMs }),
        ...(deps.age === undefined ? {} : { age: deps.age }),
        plain: deps.plain ?? (deps.output === undefined && process.stdout.isTTY !== true),
      });
    case 'none':
      return createNoneBoard(width, height);
    case 'web':
      throw new Error(
        "display.board 'web' has no display to open: the agent shows the web board alone " +
          "(choose 'terminal' to draw in this terminal, or an LED board)",
      );
  }
}

export function createDisplay(options: DisplayOptions, deps: DisplayDeps = {}): Display {
  const board = createBoard(options, deps);
  return mappedDisplay(board, mappingFor(board.profile, options));
}
