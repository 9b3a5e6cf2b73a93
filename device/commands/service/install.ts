/**
 * `ec2led setup` (alias `service install`) and `service uninstall`, step by step. Every path is under
 * `root` (`/` on a Pi, a temporary tree in tests or an image); every command goes through `System`.
 * Re-running setup is the upgrade path and changes only what differs: the user, the groups, the boot
 * configuration and the state directory (slots, fleet file) are kept; the bundle, the unit and the
 * drop-in are rewritten atomically; the service is restarted on the package now installed.
 */
import {
  chmod,
  chown,
  copyFile,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UPDATE_KEYS_FOLDER } from '../../agent/update/verify.ts';
import { type Config, ConfigError } from '../../config/config.ts';
import { loadConfig } from '../../config/config-load.ts';
import type { BoardKind } from '../../config/display-options.ts';
import { readPiModel } from '../../outputs/display/buses/pi-model.ts';
import { type BoardAccess, boardAccess, UDEV_RULE_PATH, withButtons } from './board-access.ts';
import {
  BLACKLIST_PATH,
  type BootFiles,
  CONFIG_TXT_PATHS,
  isRaspberryPi,
  MODULES_PATH,
  planBus,
  rebootVerdict,
} from './boot-config.ts';
import { account, must, type System } from './system.ts';
import {
  ETC_DIR,
  ROOT_DROP_IN_PATH,
  renderRootDropIn,
  renderUnit,
  SERVICE_USER,
  STATE_DIR,
  TIME_WAIT_SYNC,
  UNIT_NAME,
  UNIT_PATH,
  type UnitOptions,
  UPDATE_PATH_UNIT,
  unitPathProblem,
} from './unit.ts';

export interface ServiceDeps {
  readonly system: System;
  /** `/` on a Pi; a temporary tree in tests. */
  readonly root: string;
  /** Progress and advice (stderr). */
  readonly say: (line: string) => void;
  /** $SUDO_USER: the person who ran sudo joins the ec2led group, for `ec2led status`. */
  readonly sudoUser?: string | undefined;
}

export interface InstallOptions {
  /** The folder `ec2led device create` wrote; default the installed /etc/ec2led (an upgrade). */
  readonly bundle: string | undefined;
  readonly board: BoardKind | undefined;
  readonly unit: UnitOptions;
}

/** Where the board's bus stands after setup. */
export type BusOutcome =
  /** The devices exist (or the board needs none): start the service. */
  | { readonly state: 'ready' }
  /** An image under --root: nothing is checked or started there. */
  | { readonly state: 'image' }
  /** The boot configuration now turns the bus on; one reboot brings the devices. */
  | { readonly state: 'reboot'; readonly message: string }
  /** The devices are missing and a reboot would not help: the message says why and what to do. */
  | { readonly state: 'blocked'; readonly message: string };

export interface InstallResult {
  readonly access: BoardAccess;
  readonly bus: BusOutcome;
  readonly stateDir: string;
}

/** Where setup remembers the boot in which it asked for a reboot (boot-config.ts rebootVerdict). */
export const REBOOT_MARKER = 'setup-reboot-boot-id';
/** A unit shipped by the ec2-led .deb; setup then uses it instead of writing its own. */
export const PACKAGE_UNIT_PATHS = [
  '/usr/lib/systemd/system/ec2led.service',
  '/lib/systemd/system/ec2led.service',
] as const;

/** A failure of the install that names the fix; `exitCode` 2 for bad input, 1 for the machine. */
export class InstallError extends Error {
  readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2) {
    super(message);
    this.name = 'InstallError';
    this.exitCode = exitCode;
  }
}

const under = (root: string, path: string) => join(root, path);

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
async function writeAtomic(path: string, data: string | Buffer, mode: number, uid: number, gid: number) {
  const temporary = `${path}.ec2led-new`;
  await writeFile(temporary, data, { mode });
  await chown(temporary, uid, gid);
  await chmod(temporary, mode);
  await rename(temporary, path);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Bundle {
  readonly dir: string;
  readonly raw: Record<string, unknown>;
  readonly config: Config;
  /** mqtt key -> source path of cert, key, ca. */
  readonly files: ReadonlyMap<'cert' | 'key' | 'ca', string>;
}

/** Reads and validates the bundle before anything on the machine changes. */
async function readBundle(dir: string, board: BoardKind | undefined): Promise<Bundle> {
  const configPath = join(dir, 'config.json');
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({
      configPath,
      env: {},
      flags: board === undefined ? [] : [{ key: 'display.board', value: board, flag: '--board' }],
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new InstallError(
      `the bundle ${dir} is not usable: ${error.message}\n(pass the folder \`ec2led device create\` wrote, e.g. --bundle ~/ec2led-desk-pi)`,
      2,
    );
  }
  const raw = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  const files = new Map<'cert' | 'key' | 'ca', string>();
  for (const key of ['cert', 'key', 'ca'] as const) {
    const path = loaded.config.mqtt[key];
    if (path !== undefined) files.set(key, path);
  }
  if (board !== undefined) raw.display = { ...(raw.display as object | undefined), board };
  return { dir, raw, config: loaded.config, files };
}

/**
 * The service user, the board's groups and $SUDO_USER's membership of `ec2led`, through
 * systemd-sysusers (sysusers.d(5) lines passed inline): declarative, so a re-run changes nothing,
 * and under --root it needs no account files in the tree (it creates them), where useradd needs
 * passwd, group, shadow and gshadow there already. `m USER GROUP` creates a missing group. Nothing
 * runs when everything is in place, and an existing user (the .deb's postinst makes one) is kept.
 */
async function ensureAccounts(deps: ServiceDeps, access: BoardAccess): Promise<{ uid: number; gid: number }> {
  const { system, root, say } = deps;
  await mkdir(under(root, '/etc'), { recursive: true });
  const lines: string[] = [];
  const said: string[] = [];
  const existing = await account(root, SERVICE_USER);
  if (existing === undefined) {
    lines.push(`u ${SERVICE_USER} - "ec2-led agent" ${STATE_DIR} /usr/sbin/nologin`);
    said.push(`created system user ${SERVICE_USER}`);
  }
  const missing = access.groups.filter((group) => !(existing?.groups ?? []).includes(group));
  for (const group of missing) lines.push(`m ${SERVICE_USER} ${group}`);
  if (missing.length > 0) said.push(`${SERVICE_USER} joined ${missing.join(', ')} (board access)`);
  const person = deps.sudoUser;
  if (person !== undefined && person !== '' && person !== 'root' && person !== SERVICE_USER) {
    const them = await account(root, person);
    // Only a person who exists: `m` would create them otherwise.
    if (them !== undefined && !them.groups.includes(SERVICE_USER)) {
      lines.push(`m ${person} ${SERVICE_USER}`);
      said.push(`${person} joined group ${SERVICE_USER}: \`ec2led status\` works after logging in again`);
    }
  }
  if (lines.length > 0) {
    await must(system, 'systemd-sysusers', ['--inline', ...lines]);
    for (const line of said) say(line);
  }
  const user = await account(root, SERVICE_USER);
  if (user === undefined) {
    throw new InstallError(
      `systemd-sysusers did not create the user ${SERVICE_USER} in ${under(root, '/etc/passwd')}: ` +
        'check that /etc/passwd is writable, then run this again',
      1,
    );
  }
  return { uid: user.uid, gid: user.gid };
}

async function copyBundle(root: string, bundle: Bundle, gid: number): Promise<void> {
  const etc = under(root, ETC_DIR);
  await mkdir(etc, { recursive: true });
  await chown(etc, 0, gid);
  await chmod(etc, 0o750);
  const raw = structuredClone(bundle.raw);
  const mqtt = (raw.mqtt ?? {}) as Record<string, unknown>;
  const sameFolder = (await realpath(bundle.dir)) === (await realpath(etc));
  for (const [key, source] of bundle.files) {
    const name = basename(source);
    const target = join(etc, name);
    if (!sameFolder || resolve(source) !== target) {
      const temporary = `${target}.ec2led-new`;
      await copyFile(source, temporary);
      await chown(temporary, 0, gid);
      await chmod(temporary, 0o640);
      await rename(temporary, target);
    } else {
      await chown(target, 0, gid);
      await chmod(target, 0o640);
    }
    mqtt[key] = name;
  }
  await copyUpdateKeys(bundle.dir, etc, gid);
  // stateDir comes from the unit ($STATE_DIRECTORY): a bundle made for a laptop must not move it.
  delete raw.stateDir;
  await writeAtomic(join(etc, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`, 0o640, 0, gid);
}

/**
 * The bundle's trusted update keys (`update-keys/*.pem`, public halves) beside the certificate, where
 * the agent and the root installer read them (device/agent/update/verify.ts). At most 32 files of 8 KB.
 */
async function copyUpdateKeys(bundleDir: string, etc: string, gid: number): Promise<void> {
  const from = join(bundleDir, UPDATE_KEYS_FOLDER);
  const names = await readdir(from).catch(() => [] as string[]);
  const pems = names.filter((name) => /^[\w.-]+\.pem$/.test(name)).slice(0, 32);
  if (pems.length === 0) return;
  const to = join(etc, UPDATE_KEYS_FOLDER);
  if ((await realpath(from).catch(() => from)) === (await realpath(to).catch(() => to))) return;
  await mkdir(to, { recursive: true });
  await chown(to, 0, gid);
  await chmod(to, 0o750);
  for (const name of pems) {
    const source = join(from, name);
    if ((await stat(source)).size > 8 * 1024) continue;
    const temporary = join(to, `${name}.ec2led-new`);
    await copyFile(source, temporary);
    await chown(temporary, 0, gid);
    await chmod(temporary, 0o640);
    await rename(temporary, join(to, name));
  }
}

const OWN_UNIT_HEADER = '# The ec2-led agent as a systemd service, written by';

/** The unit the ec2-led .deb ships, when it is installed. */
async function packagedUnit(root: string): Promise<string | undefined> {
  for (const path of PACKAGE_UNIT_PATHS) if (await exists(under(root, path))) return path;
  return undefined;
}

/**
 * The unit: the package's own when the .deb shipped one (an /etc copy that an earlier setup wrote
 * from a tarball install would shadow it, so it goes), else /etc/systemd/system/ec2led.service for
 * this Node and this package. The root drop-in either way.
 */
async function writeUnit(
  root: string,
  unit: UnitOptions,
  packaged: string | undefined,
  access: BoardAccess,
  say: (line: string) => void,
): Promise<void> {
  const own = under(root, UNIT_PATH);
  if (packaged === undefined) {
    await mkdir(dirname(own), { recursive: true });
    await writeAtomic(own, renderUnit(unit), 0o644, 0, 0);
    say(`unit ${UNIT_PATH} written`);
  } else {
    const text = await readFile(own, 'utf8').catch(() => undefined);
    if (text?.startsWith(OWN_UNIT_HEADER) === true) {
      await rm(own);
      say(`removed ${UNIT_PATH} (written by an earlier setup): the package's ${packaged} runs the agent now`);
    } else if (text !== undefined) {
      say(`${UNIT_PATH} overrides the package's ${packaged}; remove it unless you wrote it on purpose`);
    } else say(`unit ${packaged} (from the package)`);
  }
  const dropIn = under(root, ROOT_DROP_IN_PATH);
  if (access.rootReason === undefined) await rm(dropIn, { force: true });
  else {
    await mkdir(dirname(dropIn), { recursive: true });
    await writeAtomic(dropIn, renderRootDropIn(access.rootReason), 0o644, 0, 0);
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * Rewrites a boot file through a temporary name and a rename, keeping its mode; no chown: the FAT
 * boot partition has no owners.
 */
async function writeBootFile(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.ec2led-new`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}

/**
 * Turns the board's bus on (boot-config.ts) and says where it stands: ready, one reboot, or blocked
 * with the reason. On a machine that is not a Raspberry Pi the boot configuration is left alone.
 */
async function enableBus(
  deps: ServiceDeps,
  access: BoardAccess,
  model: string,
  stateDir: string,
): Promise<BusOutcome> {
  const { root, system, say } = deps;
  const missingDevices = async () => {
    const missing: string[] = [];
    for (const device of access.devices) if (!(await exists(under(root, device)))) missing.push(device);
    return missing;
  };
  if (access.bus === undefined) {
    if (!system.live) return { state: 'image' };
    const missing = await missingDevices();
    if (missing.length === 0) return { state: 'ready' };
    return {
      state: 'blocked',
      message: `${missing.join(' and ')} missing, and setup turns on only the header's SPI0 and I2C1: ${access.enable ?? 'see docs/boards.md'}`,
    };
  }
  if (!isRaspberryPi(model)) {
    const seen = model === '' ? '/proc/device-tree/model does not exist' : `its model is "${model}"`;
    say(
      `not a Raspberry Pi (${seen}): the boot configuration is left alone, since config.txt and ` +
        `dtparam lines mean nothing elsewhere`,
    );
    if (!system.live) return { state: 'image' };
    const missing = await missingDevices();
    if (missing.length === 0) return { state: 'ready' };
    return {
      state: 'blocked',
      message: `${missing.join(' and ')} missing on a machine that is not a Raspberry Pi: the board needs a Pi's header (docs/boards.md)`,
    };
  }
  const files: BootFiles = {
    firmwareConfig: await readOptional(under(root, CONFIG_TXT_PATHS[0])),
    bootConfig: await readOptional(under(root, CONFIG_TXT_PATHS[1])),
    modules: await readOptional(under(root, MODULES_PATH)),
    blacklist: await readOptional(under(root, BLACKLIST_PATH)),
  };
  const plan = planBus(access.bus, files);
  if ('problem' in plan) {
    // The devices are there (the bus is on by other means): nothing to turn on, so not a failure.
    if (system.live && (await missingDevices()).length === 0) return { state: 'ready' };
    if (!system.live) say(`the boot configuration is left alone: ${plan.problem}`);
    return system.live ? { state: 'blocked', message: plan.problem } : { state: 'image' };
  }
  for (const edit of plan.edits) {
    await writeBootFile(under(root, edit.path), edit.text);
    say(`${edit.path}: ${edit.path === plan.configPath ? plan.line : 'updated'} (turns ${plan.what} on)`);
  }
  if (plan.edits.length === 0) say(`${plan.what} is on in ${plan.configPath} already`);
  if (!system.live) return { state: 'image' };
  if ((await missingDevices()).length > 0)
    for (const [command, args] of plan.now) await system.run(command, args);
  const missing = await missingDevices();
  const markerPath = join(stateDir, REBOOT_MARKER);
  const bootId = (await readOptional(under(root, '/proc/sys/kernel/random/boot_id')))?.trim();
  const verdict = rebootVerdict({
    missing: missing.length > 0,
    changed: plan.edits.some((edit) => edit.path === plan.configPath),
    marker: (await readOptional(markerPath))?.trim(),
    bootId,
  });
  if (verdict.reboot === 'no') {
    await rm(markerPath, { force: true });
    return { state: 'ready' };
  }
  if (verdict.reboot === 'stuck') {
    return {
      state: 'blocked',
      message:
        `${plan.what} is on in ${plan.configPath} (${plan.line}) and the Pi has rebooted since, but ` +
        `${missing.join(' and ')} still missing: check that the line is not inside a section for another model ` +
        '([pi4], [cm5], …), that the board is seated, and `dmesg | grep -i -e spi -e i2c -e ws2812` (docs/boards.md)',
    };
  }
  if (verdict.marker !== undefined) await writeFile(markerPath, `${verdict.marker}\n`, { mode: 0o644 });
  return {
    state: 'reboot',
    message: `${plan.what} turns on at the next boot (${plan.line} in ${plan.configPath}); ${missing.join(' and ')} ${missing.length === 1 ? 'appears' : 'appear'} then`,
  };
}

/** Everything but starting and waiting for the agent. Throws InstallError. */
export async function install(options: InstallOptions, deps: ServiceDeps): Promise<InstallResult> {
  const { root, system, say } = deps;
  const packaged = await packagedUnit(root);
  const pathProblem = packaged === undefined ? unitPathProblem(options.unit) : undefined;
  if (pathProblem !== undefined) throw new InstallError(pathProblem, 1);
  const installed = under(root, ETC_DIR);
  const dir = options.bundle ?? installed;
  if (options.bundle === undefined && !(await exists(join(installed, 'config.json')))) {
    throw new InstallError(
      `no bundle given and nothing installed in ${ETC_DIR}: pass the folder \`ec2led device create\` wrote, ` +
        'e.g. sudo ec2led setup ~/ec2led-desk-pi',
      2,
    );
  }
  const bundle = await readBundle(resolve(dir), options.board);
  const { board } = bundle.config.display;
  const model = await readPiModel(under(root, '/proc/device-tree/model')).catch(() => '');
  const access = withButtons(boardAccess(bundle.config.display, model), bundle.config.buttons);
  say(`board ${board}${model === '' ? '' : ` on a ${model}`}`);
  if (access.rootReason !== undefined) say(`runs as root: ${access.rootReason}`);

  const { uid, gid } = await ensureAccounts(deps, access);
  await copyBundle(root, bundle, gid);
  say(`bundle copied to ${ETC_DIR} (folder 0750, files 0640, root:${SERVICE_USER})`);
  const state = under(root, STATE_DIR);
  await mkdir(state, { recursive: true });
  await chown(state, uid, gid);
  await chmod(state, 0o750);
  if (access.udevRule !== undefined) {
    const rule = under(root, UDEV_RULE_PATH);
    await mkdir(dirname(rule), { recursive: true });
    await writeAtomic(rule, access.udevRule, 0o644, 0, 0);
    await system.run('udevadm', ['control', '--reload-rules']);
    await system.run('udevadm', ['trigger', '--action=add', '--sysname-match=leds[0-9]*']);
    say(`udev rule ${UDEV_RULE_PATH}: ${access.devices.join(', ')} for group ${access.groups.join(', ')}`);
  }
  await writeUnit(root, options.unit, packaged, access, say);
  await must(system, 'systemctl', ['daemon-reload']);
  const timeSync = await system.run('systemctl', ['enable', TIME_WAIT_SYNC]);
  if (timeSync.code !== 0) {
    say(
      `could not enable ${TIME_WAIT_SYNC} (${timeSync.stderr.trim() || `exit ${timeSync.code}`}): the agent may ` +
        'start before the clock is set; check `timedatectl show -p NTPSynchronized` says yes',
    );
  }
  await must(system, 'systemctl', ['enable', UNIT_NAME]);
  say(`${UNIT_NAME} enabled: it starts at every boot`);
  if (packaged !== undefined) {
    // The .deb's root installer for update jobs (docs/pi.md, Updating): its trigger watches the spool.
    const path = await system.run('systemctl', ['enable', '--now', UPDATE_PATH_UNIT]);
    if (path.code === 0) say(`${UPDATE_PATH_UNIT} enabled: update jobs install through it`);
    else
      say(
        `could not enable ${UPDATE_PATH_UNIT} (${path.stderr.trim() || `exit ${path.code}`}): update jobs will wait`,
      );
  }
  const bus = await enableBus(deps, access, model, state);
  return { access, bus, stateDir: state };
}

/** Stops and removes the unit; with `purge` also the bundle, the slots, the udev rule and the user. */
export async function uninstall(purge: boolean, deps: ServiceDeps): Promise<void> {
  const { root, system, say } = deps;
  const stopped = await system.run('systemctl', ['disable', '--now', UNIT_NAME]);
  if (stopped.code !== 0)
    say(`systemctl disable --now ${UNIT_NAME}: ${stopped.stderr.trim() || 'not installed'}`);
  await rm(under(root, UNIT_PATH), { force: true });
  await rm(dirname(under(root, ROOT_DROP_IN_PATH)), { recursive: true, force: true });
  await must(system, 'systemctl', ['daemon-reload']);
  say(`service ${UNIT_NAME} stopped and removed`);
  if (!purge) {
    say(`kept ${ETC_DIR} (the device bundle) and ${STATE_DIR} (the slots); --purge removes them`);
    return;
  }
  await rm(under(root, ETC_DIR), { recursive: true, force: true });
  await rm(under(root, STATE_DIR), { recursive: true, force: true });
  await rm(under(root, UDEV_RULE_PATH), { force: true });
  if ((await account(root, SERVICE_USER)) !== undefined) await must(system, 'userdel', [SERVICE_USER]);
  say(`removed ${ETC_DIR}, ${STATE_DIR}, ${UDEV_RULE_PATH} and the user ${SERVICE_USER}`);
}
