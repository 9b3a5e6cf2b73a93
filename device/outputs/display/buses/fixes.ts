/**
 * Errors that name the fix, for every way a board's device can fail to open or answer (pure).
 * Each returns an Error whose message says what failed, the device or value, and the fix, with the
 * original error as `cause`. Section numbers refer to docs/reference/hardware.md.
 */

export const CONFIG_TXT = '/boot/firmware/config.txt';

/** The exact overlay line of docs/reference/hardware.md §2.4 for a WS2812 board of `leds` LEDs on GPIO18. */
export function ws2812Overlay(leds: number): string {
  return `dtoverlay=ws2812-pio,gpio=18,num_leds=${leds}`;
}

/** The WS2812 board of `leds` LEDs, for messages: the pHAT has 32, the HAT 64. */
export function ws2812BoardName(leds: number): string {
  return leds === 32 ? 'Unicorn pHAT' : 'Unicorn HAT';
}

function errno(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

const RELOGIN = 'then log out and in again (or restart the service)';

export function nativeLoadError(name: string, cause: unknown): Error {
  return new Error(
    `could not load the optional native module ${name} (${reason(cause)}); it is built by node-gyp on ` +
      `install and a failed build does not fail npm: on the Pi run \`sudo apt install build-essential ` +
      `python3\` then \`npm ci\` in the agent's folder and read npm's output`,
    { cause },
  );
}

export function spiOpenError(path: string, cause: unknown): Error {
  const code = errno(cause);
  if (code === 'ENOENT') {
    return new Error(
      `${path} does not exist: SPI is off. Enable it with \`sudo raspi-config nonint do_spi 0\` ` +
        `(or add dtparam=spi=on to ${CONFIG_TXT}) and reboot`,
      { cause },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new Error(
      `permission denied opening ${path}: add the agent's user to the spi group ` +
        `(\`sudo usermod -aG spi $USER\`), ${RELOGIN}`,
      { cause },
    );
  }
  return new Error(
    `could not open ${path} (${reason(cause)}): check that SPI is enabled (\`sudo raspi-config nonint ` +
      `do_spi 0\`) and that nothing else holds the device`,
    { cause },
  );
}

export function i2cError(busNumber: number, address: number, cause: unknown): Error {
  const path = `/dev/i2c-${busNumber}`;
  const at = `0x${address.toString(16).padStart(2, '0')}`;
  const code = errno(cause);
  if (code === 'ENOENT') {
    return new Error(
      `${path} does not exist: I2C is off. Enable it with \`sudo raspi-config nonint do_i2c 0\` ` +
        `(or add dtparam=i2c_arm=on to ${CONFIG_TXT}) and reboot; check display.i2cBus (1 on the header)`,
      { cause },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new Error(
      `permission denied opening ${path}: add the agent's user to the i2c group ` +
        `(\`sudo usermod -aG i2c $USER\`), ${RELOGIN}`,
      { cause },
    );
  }
  if (code === 'ENXIO' || code === 'EREMOTEIO' || code === 'EIO') {
    return new Error(
      `no device answered at ${at} on ${path} (${code}): check the board is seated and the address ` +
        `(RGB Matrix 5x5 0x74, or 0x77 with its jumper; LED SHIM 0x75); \`i2cdetect -y ${busNumber}\` ` +
        `lists what answers; set display.i2cAddress to match`,
      { cause },
    );
  }
  return new Error(
    `I2C write to ${at} on ${path} failed (${reason(cause)}): check wiring and display.i2cBus`,
    {
      cause,
    },
  );
}

export function ledsOpenError(path: string, leds: number, cause: unknown): Error {
  const code = errno(cause);
  if (code === 'ENOENT' || code === 'ENOTCHR') {
    return new Error(
      `${path} ${code === 'ENOENT' ? 'does not exist' : 'is not a character device'}: the Pi 5 WS2812 ` +
        `driver is not loaded. Add the line \`${ws2812Overlay(leds)}\` to ${CONFIG_TXT} and reboot ` +
        `(Pi 5 only; on a Pi 4 or older set display.ws2812Backend to 'rpi-ws281x')`,
      { cause },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new Error(
      `permission denied opening ${path}: it is root-only by default. Add a udev rule such as ` +
        `/etc/udev/rules.d/99-ws2812.rules with \`KERNEL=="leds[0-9]*", GROUP="gpio", MODE="0660"\` ` +
        `and put the agent's user in that group, or run the agent as root (see docs/boards.md)`,
      { cause },
    );
  }
  return new Error(`could not open ${path} (${reason(cause)}): check the ${ws2812Overlay(leds)} line`, {
    cause,
  });
}

export function ledsWriteError(path: string, leds: number, cause: unknown): Error {
  const code = errno(cause);
  if (code === 'ENOSPC' || code === 'EFBIG') {
    return new Error(
      `writing ${leds * 4} bytes to ${path} failed (${code}): the overlay drives fewer LEDs than ` +
        `the board's ${leds}; use \`${ws2812Overlay(leds)}\` in ${CONFIG_TXT} and reboot`,
      { cause },
    );
  }
  return new Error(`writing to ${path} failed (${reason(cause)}): check the ${ws2812Overlay(leds)} line`, {
    cause,
  });
}

export function ws281xRootError(uid: number, leds: number): Error {
  return new Error(
    `the ${ws2812BoardName(leds)}'s driver rpi-ws281x-native needs root for PWM/DMA on GPIO18 (it maps ` +
      `/dev/mem) but runs as uid ${uid}; without root it silently does nothing. Run the agent as root ` +
      `(systemd User=root), or on a Pi 5 use display.ws2812Backend 'leds0' with \`${ws2812Overlay(leds)}\``,
  );
}

export function ws281xInitError(cause: unknown): Error {
  const message = reason(cause);
  if (/hardware revision/i.test(message)) {
    return new Error(
      `rpi_ws281x refused this Pi ("${message}"): rpi-ws281x-native 1.0.4 bundles a 2021 rpi_ws281x that ` +
        `knows no Pi 5, Pi 4B rev 1.5, Pi 400 v1.1 or Zero 2 W (docs/reference/hardware.md §6.1). On a Pi 5 set ` +
        `display.ws2812Backend to 'leds0'; otherwise rebuild the module against a newer rpi_ws281x ` +
        `(beyondscreen/node-rpi-ws281x-native#130) or use an SPI/I2C board`,
      { cause },
    );
  }
  return new Error(
    `rpi-ws281x-native failed to start (${message}): run as root, keep display.dmaChannel at 10, and ` +
      `if colours flicker turn analog audio off (dtparam=audio=off in ${CONFIG_TXT}, docs/reference/hardware.md §2.1)`,
    { cause },
  );
}

export function piModelError(path: string, cause: unknown, board = 'Unicorn HAT'): Error {
  return new Error(
    `could not read the Pi model from ${path} (${reason(cause)}), so the WS2812 driver cannot be ` +
      `chosen: the ${board} needs a Raspberry Pi. Set display.ws2812Backend to 'leds0' (Pi 5) or ` +
      `'rpi-ws281x' (Pi 4 and older) to choose it yourself`,
    { cause },
  );
}
