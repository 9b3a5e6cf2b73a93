/**
 * `ec2led service install` and `uninstall`, step by step. Every path is under `root` (`/` on a Pi,
 * a temporary tree in tests); every command goes through `System`. Re-running install is the upgrade
 * path: the user, the groups and the state directory (slots) are kept, the bundle, the unit and the
 * drop-in are rewritten atomically, and the service is restarted on the new package.
 */
import {
  chmod,
  chown,
  copyFile,
  mkdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadConfig } from '../cli/config-load.ts';
import { type Config, ConfigError } from '../config.ts';
import { readPiModel } from '../display/buses/pi-model.ts';
import type { BoardKind } from '../display/display.ts';
import { type BoardAccess, boardAccess, UDEV_RULE_PATH } from './board-access.ts';
import { account, groupId, must, type System } from './system.ts';
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

export interface InstallResult {
  readonly access: BoardAccess;
  /** Devices of the board that do not exist yet: the bus or overlay is off. */
  readonly missingDevices: readonly string[];
  readonly stateDir: string;
}

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

async function ensureAccounts(deps: ServiceDeps, access: BoardAccess): Promise<{ uid: number; gid: number }> {
  const { system, root, say } = deps;
  for (const group of access.groups) {
    if ((await groupId(root, group)) === undefined) {
      await must(system, 'groupadd', ['--system', group]);
      say(`created group ${group}`);
    }
  }
  if ((await account(root, SERVICE_USER)) === undefined) {
    await must(system, 'useradd', [
      '--system',
      '--user-group',
      '--home-dir',
      STATE_DIR,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SERVICE_USER,
    ]);
    say(`created system user ${SERVICE_USER}`);
  }
  const user = (await account(root, SERVICE_USER)) as NonNullable<Awaited<ReturnType<typeof account>>>;
  const missing = access.groups.filter((group) => !user.groups.includes(group));
  if (missing.length > 0) {
    await must(system, 'usermod', ['--append', '--groups', missing.join(','), SERVICE_USER]);
    say(`${SERVICE_USER} joined ${missing.join(', ')} (board access)`);
  }
  const person = deps.sudoUser;
  if (person !== undefined && person !== '' && person !== 'root') {
    const them = await account(root, person);
    if (them !== undefined && !them.groups.includes(SERVICE_USER)) {
      await must(system, 'usermod', ['--append', '--groups', SERVICE_USER, person]);
      say(`${person} joined group ${SERVICE_USER}: \`ec2led status\` works after logging in again`);
    }
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
  // stateDir comes from the unit ($STATE_DIRECTORY): a bundle made for a laptop must not move it.
  delete raw.stateDir;
  await writeAtomic(join(etc, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`, 0o640, 0, gid);
}

async function writeUnit(root: string, unit: UnitOptions, access: BoardAccess): Promise<void> {
  await mkdir(dirname(under(root, UNIT_PATH)), { recursive: true });
  await writeAtomic(under(root, UNIT_PATH), renderUnit(unit), 0o644, 0, 0);
  const dropIn = under(root, ROOT_DROP_IN_PATH);
  if (access.rootReason === undefined) await rm(dropIn, { force: true });
  else {
    await mkdir(dirname(dropIn), { recursive: true });
    await writeAtomic(dropIn, renderRootDropIn(access.rootReason), 0o644, 0, 0);
  }
}

/** Everything but waiting for the agent. Throws InstallError. */
export async function install(options: InstallOptions, deps: ServiceDeps): Promise<InstallResult> {
  const { root, system, say } = deps;
  const pathProblem = unitPathProblem(options.unit);
  if (pathProblem !== undefined) throw new InstallError(pathProblem, 1);
  const installed = under(root, ETC_DIR);
  const dir = options.bundle ?? installed;
  if (options.bundle === undefined && !(await exists(join(installed, 'config.json')))) {
    throw new InstallError(
      `no --bundle given and nothing installed in ${ETC_DIR}: pass the folder \`ec2led device create\` wrote, ` +
        'e.g. sudo ec2led service install --bundle ~/ec2led-desk-pi --board unicornhatmini',
      2,
    );
  }
  const bundle = await readBundle(resolve(dir), options.board);
  const { board } = bundle.config.display;
  const model = await readPiModel(under(root, '/proc/device-tree/model')).catch(() => '');
  const access = boardAccess(bundle.config.display, model);
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
  await writeUnit(root, options.unit, access);
  await must(system, 'systemctl', ['daemon-reload']);
  const timeSync = await system.run('systemctl', ['enable', TIME_WAIT_SYNC]);
  if (timeSync.code !== 0) {
    say(
      `could not enable ${TIME_WAIT_SYNC} (${timeSync.stderr.trim() || `exit ${timeSync.code}`}): the agent may ` +
        'start before the clock is set; check `timedatectl show -p NTPSynchronized` says yes',
    );
  }
  await must(system, 'systemctl', ['enable', UNIT_NAME]);
  say(`unit ${UNIT_PATH} written and enabled`);
  const missingDevices: string[] = [];
  for (const device of access.devices) if (!(await exists(under(root, device)))) missingDevices.push(device);
  return { access, missingDevices, stateDir: state };
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
