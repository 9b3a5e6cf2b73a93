/**
 * Turning a board's bus on in a Raspberry Pi's boot configuration (pure): the edits `raspi-config
 * nonint do_spi 0` and `do_i2c 0` make, read from RPi-Distro/raspi-config @9c55e7b, file
 * `raspi-config` (CONFIG, set_config_var, get_spi, get_i2c, do_spi, do_i2c), plus the Pi 5 line
 * `dtoverlay=ws2812-pio,...` (docs/reference/hardware.md §2.4). What raspi-config does, so this too:
 *
 * - config.txt is /boot/firmware/config.txt, or /boot/config.txt where there is no such file
 *   (images before Bookworm). Every `dtparam=spi=…` line, commented out with one `#` or not, becomes
 *   `dtparam=spi=on` (`i2c_arm` for I2C); with no such line, one is appended.
 * - /etc/modprobe.d/raspi-blacklist.conf: a `blacklist spi-bcm2708` (`i2c-bcm2708`) line is
 *   commented out. Only very old images have one.
 * - I2C only: /etc/modules gets `i2c-dev` (a `#i2c-dev` line is uncommented), so /dev/i2c-1 exists
 *   at every boot, and `modprobe i2c-dev` loads it now.
 * - `dtparam spi=on` (`i2c_arm=on`) applies the parameter to the running kernel: when the device then
 *   appears, no reboot is needed. config.txt itself is read only at boot.
 *
 * Where this differs, on purpose: nothing is written when the parameter is already on (raspi-config
 * rewrites the line every time); a line appended to a file that ends inside a model section such as
 * `[cm5]` or `[pi5]` (Bookworm and later images do) goes under a new `[all]`, where raspi-config's
 * would apply to that model only; the Bookworm stub /boot/config.txt ("has moved to
 * /boot/firmware/config.txt", a boot partition that is not mounted) is never edited. The ws2812-pio
 * overlay is only written, not loaded at run time: whether `dtoverlay ws2812-pio` works on a running
 * Pi 5 is unverified, so that board needs the reboot.
 */

export type BusSwitch =
  | { readonly kind: 'spi' }
  | { readonly kind: 'i2c' }
  | { readonly kind: 'ws2812-pio'; readonly overlay: string };

export const CONFIG_TXT_PATHS = ['/boot/firmware/config.txt', '/boot/config.txt'] as const;
export const MODULES_PATH = '/etc/modules';
export const BLACKLIST_PATH = '/etc/modprobe.d/raspi-blacklist.conf';

export interface BootFiles {
  /** /boot/firmware/config.txt, undefined when it does not exist. */
  readonly firmwareConfig: string | undefined;
  /** /boot/config.txt, undefined when it does not exist. */
  readonly bootConfig: string | undefined;
  readonly modules: string | undefined;
  readonly blacklist: string | undefined;
}

export interface FileEdit {
  readonly path: string;
  readonly text: string;
}

export interface BusPlan {
  /** What is turned on, for messages: "SPI", "I2C", "the ws2812-pio overlay". */
  readonly what: string;
  /** The config.txt that holds it. */
  readonly configPath: string;
  /** The config.txt line that turns it on. */
  readonly line: string;
  /** Files to rewrite; empty when everything was on already. */
  readonly edits: readonly FileEdit[];
  /** Commands that apply the change to the running kernel; one that fails only means a reboot. */
  readonly now: readonly (readonly [string, readonly string[]])[];
}

/** A Raspberry Pi, from /proc/device-tree/model ('' when missing). */
export function isRaspberryPi(model: string): boolean {
  return /^Raspberry Pi\b/.test(model);
}

const MOVED = /has moved to \/boot\/firmware\/config\.txt/;

/** Which config.txt raspi-config would edit, or why there is none to edit. */
export function pickConfigTxt(
  files: Pick<BootFiles, 'firmwareConfig' | 'bootConfig'>,
): { readonly path: string; readonly text: string } | { readonly problem: string } {
  if (files.firmwareConfig !== undefined) return { path: CONFIG_TXT_PATHS[0], text: files.firmwareConfig };
  if (files.bootConfig !== undefined && MOVED.test(files.bootConfig)) {
    return {
      problem:
        '/boot/config.txt says the file has moved to /boot/firmware/config.txt, which does not exist: the ' +
        'boot partition is not mounted. Check `findmnt /boot/firmware` and /etc/fstab, then run this again',
    };
  }
  if (files.bootConfig !== undefined) return { path: CONFIG_TXT_PATHS[1], text: files.bootConfig };
  return {
    problem:
      'neither /boot/firmware/config.txt nor /boot/config.txt exists, so the bus cannot be turned on: ' +
      'check that the boot partition is mounted (`findmnt /boot/firmware`), then run this again',
  };
}

/** raspi-config's get_spi / get_i2c: any dtparam line that turns the parameter on, alone or in a list. */
export function dtparamOn(text: string, bus: 'spi' | 'i2c'): boolean {
  const name = bus === 'spi' ? 'spi' : 'i2c(_arm)?';
  const pattern = new RegExp(`^(device_tree_param|dtparam)=([^,]*,)*${name}(=(on|true|yes|1))?(,.*)?$`, 'm');
  return pattern.test(text);
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Appends a line, under a fresh `[all]` when the file ends inside a model section. */
function append(lines: readonly string[], line: string): string[] {
  const sections = lines.filter((l) => /^\s*\[[^\]]*\]/.test(l));
  const last = sections[sections.length - 1]?.trim().toLowerCase();
  const conditional = last !== undefined && last !== '[all]';
  return [...lines, ...(conditional ? ['[all]'] : []), line];
}

/**
 * raspi-config's set_config_var for `key=value`: every line `#?\s*key=…` becomes `key=value`, else it
 * is appended. `match` tells which lines are the key's.
 */
function setLine(text: string, match: RegExp, line: string): string {
  const lines = splitLines(text);
  let found = false;
  const out = lines.map((l) => {
    if (!match.test(l)) return l;
    found = true;
    return line;
  });
  return `${(found ? out : append(lines, line)).join('\n')}\n`;
}

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The config.txt text with `dtparam=spi=on` (or `i2c_arm`), or the same text when it is on already. */
export function enableDtparam(text: string, bus: 'spi' | 'i2c'): string {
  if (dtparamOn(text, bus)) return text;
  const key = bus === 'spi' ? 'dtparam=spi' : 'dtparam=i2c_arm';
  return setLine(text, new RegExp(`^#?\\s*${literal(key)}=.*$`), `${key}=on`);
}

/** The config.txt text with this ws2812-pio overlay line: other ws2812-pio lines become it. */
export function enableOverlay(text: string, overlay: string): string {
  const lines = splitLines(text);
  if (lines.includes(overlay)) return text;
  const name = overlay.split(',')[0] as string;
  return setLine(text, new RegExp(`^#?\\s*${literal(name)}(,.*)?\\s*$`), overlay);
}

/** /etc/modules with i2c-dev: a commented line uncommented, else appended (raspi-config do_i2c). */
export function enableModule(text: string | undefined, module: 'i2c-dev'): string {
  const lines = splitLines(text ?? '');
  const active = /^i2c[-_]dev/;
  const commented = /^#[\t ]*(i2c[-_]dev)/;
  const out = lines.map((l) => l.replace(commented, '$1'));
  if (!out.some((l) => active.test(l))) out.push(module);
  return `${out.join('\n')}\n`;
}

/** raspi-blacklist.conf with `blacklist spi-bcm2708` (or i2c) commented out. */
export function unblacklist(text: string, bus: 'spi' | 'i2c'): string {
  const pattern = new RegExp(`^(blacklist[\\t ]*${bus}[-_]bcm2708)`, 'gm');
  return text.replace(pattern, '#$1');
}

/** Every edit and command that turns `bus` on, given the files as they are. */
export function planBus(bus: BusSwitch, files: BootFiles): BusPlan | { readonly problem: string } {
  const config = pickConfigTxt(files);
  if ('problem' in config) return config;
  const edits: FileEdit[] = [];
  const edit = (path: string, before: string | undefined, after: string) => {
    if (after !== before) edits.push({ path, text: after });
  };
  if (bus.kind === 'ws2812-pio') {
    edit(config.path, config.text, enableOverlay(config.text, bus.overlay));
    return { what: 'the ws2812-pio overlay', configPath: config.path, line: bus.overlay, edits, now: [] };
  }
  const param = bus.kind === 'spi' ? 'spi' : 'i2c_arm';
  edit(config.path, config.text, enableDtparam(config.text, bus.kind));
  if (files.blacklist !== undefined)
    edit(BLACKLIST_PATH, files.blacklist, unblacklist(files.blacklist, bus.kind));
  const now: [string, string[]][] = [['dtparam', [`${param}=on`]]];
  if (bus.kind === 'i2c') {
    edit(MODULES_PATH, files.modules, enableModule(files.modules, 'i2c-dev'));
    now.push(['modprobe', ['i2c-dev']]);
  }
  return {
    what: bus.kind === 'spi' ? 'SPI' : 'I2C',
    configPath: config.path,
    line: `dtparam=${param}=on`,
    edits,
    now,
  };
}

export type RebootVerdict =
  /** The devices are there: nothing to do, and any reboot marker goes. */
  | { readonly reboot: 'no' }
  /** One reboot is needed; `marker` is the boot id to remember (undefined when unknown). */
  | { readonly reboot: 'yes'; readonly marker: string | undefined }
  /** The boot configuration was on before the last reboot and the device is still missing. */
  | { readonly reboot: 'stuck' };

/**
 * Whether a reboot would bring the missing devices, so that setup asks for at most one. The marker
 * is the boot id (/proc/sys/kernel/random/boot_id) of the boot in which setup last asked for a
 * reboot: when the Pi has booted since and the device is still missing, another reboot would not
 * help. Without a boot id (an image under --root) the answer is 'yes' with no marker.
 */
export function rebootVerdict(input: {
  readonly missing: boolean;
  /** Whether this run changed the boot configuration. */
  readonly changed: boolean;
  readonly marker: string | undefined;
  readonly bootId: string | undefined;
}): RebootVerdict {
  const { missing, changed, marker, bootId } = input;
  if (!missing) return { reboot: 'no' };
  if (bootId === undefined) return { reboot: 'yes', marker: undefined };
  if (!changed && marker !== undefined && marker !== bootId) return { reboot: 'stuck' };
  return { reboot: 'yes', marker: bootId };
}
