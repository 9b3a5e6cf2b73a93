/**
 * The doctor checks that stay on this machine: architecture, Node, the watchdog's native module, the config, the certificate files
 * (readable by the service user, parseable, matching) and the board's bus. Each returns one
 * CheckResult naming the fix.
 */

import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { type Config, ConfigError } from '../../config/config.ts';
import { type LoadedConfig, loadConfig } from '../../config/config-load.ts';
import { realTlsCheck } from '../../config/tls-files.ts';
import { describeLeds0Mode } from '../../outputs/display/boards/ws2812-backend.ts';
import { readPiModel } from '../../outputs/display/buses/pi-model.ts';
import { nodeAdvice, nodeMajor, RECOMMENDED_NODE } from '../cli/node-version.ts';
import { boardAccess, withButtons } from '../service/board-access.ts';
import type { Account } from '../service/system.ts';
import { SERVICE_USER } from '../service/unit.ts';
import { type CheckResult, fail, ok, warn } from './check.ts';

export function checkArch(arch: string): CheckResult {
  if (arch === 'arm64' || arch === 'x64') {
    return ok('arch', `${arch === 'x64' ? 'x86-64' : arch}: aws-crt ships a prebuilt binary`);
  }
  if (arch === 'arm') {
    return fail(
      'arch',
      '32-bit ARM: aws-crt (MQTT) has no prebuilt binary here and compiles from source with cmake, which can run a Pi 3 out of memory',
      'install 64-bit Raspberry Pi OS (Pi 3, 4, 5, Zero 2 W); Pi 1 and Zero W cannot run it',
    );
  }
  return fail(
    'arch',
    `${arch}: aws-crt ships binaries for arm64 and x86-64 only`,
    'use a 64-bit Raspberry Pi OS',
  );
}

export function checkNode(version: string): CheckResult {
  const major = nodeMajor(version) ?? 0;
  if (major >= 22) return ok('node', nodeAdvice(version));
  if (major >= 20) return warn('node', `${version} works`, nodeAdvice(version));
  return fail(
    'node',
    `${version} is too old: the agent needs Node.js 20 or newer`,
    `install Node.js ${RECOMMENDED_NODE} (docs/pi.md)`,
  );
}

/**
 * The native module the systemd watchdog sends through (watchdog/notify.ts): without it the service
 * (Type=notify) cannot start. `load` imports it; tests pass one that fails.
 */
export async function checkWatchdogModule(
  load: () => Promise<unknown> = () => import(WATCHDOG_MODULE),
): Promise<CheckResult> {
  try {
    await load();
    return ok('watchdog', 'unix-dgram loads: the agent can answer the systemd watchdog');
  } catch (error) {
    return fail(
      'watchdog',
      `unix-dgram does not load (${(error as Error).message}): the service cannot report ready to systemd`,
      'sudo apt-get install -y build-essential python3, then the npm install -g of docs/pi.md again (unix-dgram in --allow-scripts)',
    );
  }
}

/** A variable, so bundlers leave the optional module alone. */
const WATCHDOG_MODULE = 'unix-dgram';

export function checkConfig(
  configPath: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { result: CheckResult; loaded?: LoadedConfig } {
  try {
    // Files are checked one by one below, with the service user's eyes.
    const loaded = loadConfig({ configPath, env, readable: () => undefined, tls: () => [] });
    const { config } = loaded;
    return {
      result: ok(
        'config',
        `${loaded.path}: thing ${config.mqtt.clientId}, board ${config.display.board}, regions ${config.aws.regions.join(', ')}`,
      ),
      loaded,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A file that is missing, unreadable or not JSON: its one problem ends with its own fix
    // (config-load.ts, "config file PATH does not exist: FIX"), the only one to give.
    const [problem, ...more] = error.problems;
    const at = problem?.lastIndexOf(': ') ?? -1;
    if (problem !== undefined && more.length === 0 && problem.startsWith('config file ') && at > 0) {
      return { result: fail('config', problem.slice(0, at), problem.slice(at + 2)) };
    }
    return {
      result: fail(
        'config',
        error.problems.join('; '),
        'edit the config as each problem says (docs/config.md)',
      ),
    };
  }
}

/** Whether `user` may read (or read and write) a file with these owner, group and mode bits. */
export function mayAccess(
  info: { uid: number; gid: number; mode: number },
  user: Pick<Account, 'uid' | 'gids'>,
  bits: 'r' | 'rw' | 'x',
): boolean {
  if (user.uid === 0) return bits !== 'x' || (info.mode & 0o111) !== 0;
  const want = bits === 'r' ? 4 : bits === 'rw' ? 6 : 1;
  const shift = info.uid === user.uid ? 6 : user.gids.includes(info.gid) ? 3 : 0;
  return ((info.mode >> shift) & want) === want;
}

/** Why `user` cannot read `path` (the file or its folder), or undefined when it can. */
async function unreadable(path: string, user: Account | undefined): Promise<string | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    return `${path} ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as NodeJS.ErrnoException).code})`}`;
  }
  if (user === undefined) return undefined;
  const folder = await stat(dirname(path));
  if (!mayAccess(folder, user, 'x')) return `${user.name} cannot enter ${dirname(path)}`;
  if (!mayAccess(info, user, 'r')) {
    return `${user.name} cannot read ${path} (mode ${(info.mode & 0o777).toString(8)}, owner ${info.uid}:${info.gid})`;
  }
  return undefined;
}

const REINSTALL = 'sudo ec2led service install (it sets root:ec2led 0640 on the bundle)';

/**
 * The certificate and key: readable by the service user, parseable, and a pair. One function, so
 * it can share code with the agent's own start-up check.
 */
export async function checkCertificateAndKey(
  config: Config,
  user: Account | undefined,
): Promise<CheckResult> {
  const { cert, key } = config.mqtt;
  if (cert === undefined || key === undefined)
    return ok('certificate', 'none configured (plain TCP, default credentials)');
  for (const path of [cert, key]) {
    const problem = await unreadable(path, user);
    if (problem !== undefined) return fail('certificate', problem, REINSTALL);
  }
  // The same parse and match as the agent's start-up check (tls-files.ts), with its fixes.
  const problem = realTlsCheck({ cert, key })[0];
  if (problem !== undefined) {
    return fail('certificate', `${problem.key === 'cert' ? cert : key} ${problem.reason}`, problem.fix);
  }
  const certificate = new X509Certificate(await readFile(cert));
  if (Date.parse(certificate.validTo) < Date.now()) {
    return fail(
      'certificate',
      `${cert} expired on ${certificate.validTo}`,
      'enrol the Pi again: ec2led device delete, then device create',
    );
  }
  const who = user === undefined ? `(user ${SERVICE_USER} does not exist yet)` : `readable by ${user.name}`;
  return ok('certificate', `${certificate.subject.replace(/\n/g, ', ')}, key matches, ${who}`);
}

export async function checkCa(config: Config, user: Account | undefined): Promise<CheckResult> {
  const { ca } = config.mqtt;
  if (ca === undefined) return ok('ca', 'none configured: the system trust store');
  const problem = await unreadable(ca, user);
  if (problem !== undefined) return fail('ca', problem, REINSTALL);
  try {
    const certificate = new X509Certificate(await readFile(ca));
    if (!certificate.ca)
      return fail('ca', `${ca} is not a CA certificate`, "use the bundle's AmazonRootCA1.pem as mqtt.ca");
    return ok('ca', `${ca}: ${certificate.subject.replace(/\n/g, ', ')}`);
  } catch (error) {
    return fail(
      'ca',
      `${ca} is not a PEM certificate (${(error as Error).message})`,
      "use the bundle's AmazonRootCA1.pem as mqtt.ca",
    );
  }
}

/**
 * The board's bus: devices present and open to the service user, and its group membership.
 * Named "board" on purpose: the Pi 5 /dev/leds0 kernel-mode line belongs to this check.
 */
export async function checkBoard(
  config: Config,
  user: Account | undefined,
  root: string,
  kernelRelease: string = release(),
): Promise<CheckResult> {
  const { display } = config;
  const model = await readPiModel(join(root, '/proc/device-tree/model')).catch(() => '');
  const access = withButtons(boardAccess(display, model), config.buttons);
  const on = model === '' ? '' : ` on a ${model}`;
  if (access.devices.length === 0 && access.rootReason === undefined) {
    return ok('board', `${display.board}${on}: no bus needed`);
  }
  if (access.rootReason !== undefined) {
    return warn('board', `${display.board}${on} runs as root`, `nothing to do: ${access.rootReason}`);
  }
  for (const device of access.devices) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(join(root, device));
    } catch {
      return fail(
        'board',
        `${device} does not exist${on}: the bus is off`,
        access.enable ?? 'see docs/boards.md',
      );
    }
    if (user === undefined) continue;
    const missing = access.groups.filter((group) => !user.groups.includes(group));
    if (missing.length > 0) {
      return fail(
        'board',
        `${user.name} is not in group ${missing.join(', ')}`,
        `sudo usermod -aG ${missing.join(',')} ${user.name} && sudo systemctl restart ec2led`,
      );
    }
    if (!mayAccess(info, user, 'rw')) {
      return fail(
        'board',
        `${user.name} cannot open ${device} (mode ${(info.mode & 0o777).toString(8)}, group ${info.gid})`,
        access.udevRule === undefined
          ? 'reboot after enabling the bus, so udev sets its group'
          : `sudo ec2led service install (it writes the udev rule for ${device})`,
      );
    }
  }
  const who =
    user === undefined
      ? `(user ${SERVICE_USER} does not exist yet)`
      : `open to ${user.name} (${access.groups.join(', ')})`;
  // The Pi 5 WS2812 path: which /dev/leds0 mode this kernel gets (docs/boards.md).
  const mode = access.udevRule === undefined ? '' : `; ${describeLeds0Mode(kernelRelease)}`;
  return ok('board', `${display.board}${on}: ${access.devices.join(', ')} ${who}${mode}`);
}
