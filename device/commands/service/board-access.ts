/**
 * What the service user needs for a board (pure): the groups, the device files, whether it must run
 * as root and why, and the one command that turns a missing bus on. Shared by `ec2led
 * setup` (which creates the groups, joins them and turns the bus on) and `ec2led doctor` (which
 * checks them).
 *
 * SPI and I2C boards need only their group (docs/reference/users.md #8). The Unicorn HAT / pHAT on a Pi 5 use the
 * kernel's ws2812-pio driver and /dev/leds0, which a udev rule opens to the gpio group; on a Pi 4 or
 * older rpi_ws281x maps /dev/mem and needs root (docs/boards.md).
 */

import type { DisplayOptions } from '../../config/display-options.ts';
import { chooseWs2812Backend } from '../../outputs/display/boards/ws2812-backend.ts';
import { CONFIG_TXT, ws2812Overlay } from '../../outputs/display/buses/fixes.ts';
import type { BusSwitch } from './boot-config.ts';

export interface BoardAccess {
  /** Supplementary groups the service user joins. */
  readonly groups: readonly string[];
  /** Character devices the agent opens. */
  readonly devices: readonly string[];
  /** Set when the agent must run as root: the reason, said to the user. */
  readonly rootReason: string | undefined;
  /** What to run when a device is missing (the bus or overlay is off), ending in a reboot. */
  readonly enable: string | undefined;
  /** A udev rule that gives `groups` access to the devices, when the kernel makes them root-only. */
  readonly udevRule: string | undefined;
  /**
   * What `ec2led setup` turns on in the boot configuration so the devices exist (boot-config.ts):
   * only the header's own buses (SPI0, I2C1), which the Pi's dtparam lines control.
   */
  readonly bus: BusSwitch | undefined;
}

const NONE: BoardAccess = {
  groups: [],
  devices: [],
  rootReason: undefined,
  enable: undefined,
  udevRule: undefined,
  bus: undefined,
};

export const UDEV_RULE_PATH = '/etc/udev/rules.d/99-ec2led-leds.rules';
export const LEDS_UDEV_RULE = 'KERNEL=="leds[0-9]*", GROUP="gpio", MODE="0660"\n';

const SPI_ON = 'sudo raspi-config nonint do_spi 0 && sudo reboot';
const I2C_ON = 'sudo raspi-config nonint do_i2c 0 && sudo reboot';

/**
 * `model` is /proc/device-tree/model ('' when unknown: WS2812 with backend 'auto' then needs root,
 * the safe reading, and the caller says the model was not found).
 */
export function boardAccess(display: DisplayOptions, model: string): BoardAccess {
  switch (display.board) {
    case 'unicornhathd':
      return {
        ...NONE,
        groups: ['spi'],
        devices: [`/dev/spidev${display.spiBus}.0`],
        enable: SPI_ON,
        bus: display.spiBus === 0 ? { kind: 'spi' } : undefined,
      };
    case 'unicornhatmini':
      return {
        ...NONE,
        groups: ['spi'],
        devices: [`/dev/spidev${display.spiBus}.0`, `/dev/spidev${display.spiBus}.1`],
        enable: SPI_ON,
        bus: display.spiBus === 0 ? { kind: 'spi' } : undefined,
      };
    case 'rgbmatrix5x5':
    case 'ledshim':
      return {
        ...NONE,
        groups: ['i2c'],
        devices: [`/dev/i2c-${display.i2cBus}`],
        enable: I2C_ON,
        bus: display.i2cBus === 1 ? { kind: 'i2c' } : undefined,
      };
    case 'unicornhat':
    case 'unicornphat': {
      const leds = display.board === 'unicornhat' ? 64 : 32;
      let backend: 'leds0' | 'rpi-ws281x' = 'rpi-ws281x';
      try {
        backend = chooseWs2812Backend(display.ws2812Backend, model);
      } catch {
        // not a Raspberry Pi, or the model is unknown: keep rpi-ws281x, which needs root
      }
      if (backend === 'leds0') {
        return {
          ...NONE,
          groups: ['gpio'],
          devices: [display.ledsDevice],
          enable: `echo '${ws2812Overlay(leds)}' | sudo tee -a ${CONFIG_TXT} && sudo reboot`,
          udevRule: LEDS_UDEV_RULE,
          bus: { kind: 'ws2812-pio', overlay: ws2812Overlay(leds) },
        };
      }
      return {
        ...NONE,
        rootReason:
          'the Unicorn HAT on a Pi 4 or older is driven by rpi_ws281x, which maps /dev/mem for PWM and DMA: ' +
          'only root may do that (on a Pi 5 the ws2812-pio driver needs no root)',
      };
    }
    default:
      return NONE;
  }
}

/**
 * With `buttons` configured the agent also reads /dev/gpiochip* (sources/buttons/gpiomon.ts), which Raspberry
 * Pi OS's udev rules open to the gpio group: the service user joins it (not needed as root).
 */
export function withButtons(access: BoardAccess, buttons: object | undefined): BoardAccess {
  if (buttons === undefined || access.rootReason !== undefined || access.groups.includes('gpio'))
    return access;
  return { ...access, groups: [...access.groups, 'gpio'] };
}
