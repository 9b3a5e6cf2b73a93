/**
 * `ec2led update-install`: the root installer's command (installer.ts), which ec2led-update.service
 * runs when the agent left a verified package in the spool. Not for people: it needs root, and it
 * does nothing without a request (exit 0).
 */

import { spoolDir } from '../../agent/update/spool.ts';
import {
  debianArch,
  loadUpdateKeys,
  PACKAGE_UPDATE_KEYS,
  UPDATE_KEYS_FOLDER,
} from '../../agent/update/verify.ts';
import { createLogger } from '../../base/log.ts';
import { UsageError } from '../cli/args.ts';
import type { Io } from '../cli/io.ts';
import { ETC_DIR, STATE_DIR } from '../service/unit.ts';
import { READY_TIMEOUT_MS, runInstaller } from './installer.ts';
import { realInstallerSystem } from './installer-system.ts';

/** The installer's own folder (root's, 0700: the unit's StateDirectory). */
export const WORK_DIR = '/var/lib/ec2led-update';

export const UPDATE_INSTALL_USAGE = `ec2led update-install — install the update the agent verified (root; ec2led-update.service runs it)

Examples:
  systemctl start ec2led-update.service
  ec2led update-install --state-dir /var/lib/ec2led

Flags:
  --state-dir DIR   the agent's state folder (its update/ holds the request);
                    default ${STATE_DIR}
  --work DIR        the installer's folder (journal, kept package); default ${WORK_DIR}
  --ready-timeout S how long the new agent has to get ready, connected and synced; default 180
  --keys DIR        a folder of trusted update keys (*.pem), repeatable;
                    default ${ETC_DIR}/${UPDATE_KEYS_FOLDER} and ${PACKAGE_UPDATE_KEYS}
Exit codes: 0 done (installed, rolled back, or nothing to do), 1 failed, 2 bad usage.
The outcome goes to the spool's result.json; the agent reports it to AWS IoT Jobs (docs/pi.md).
`;

interface Args {
  readonly stateDir: string;
  readonly work: string;
  readonly keys: readonly string[];
  readonly readyTimeoutS: number;
}

function parse(argv: readonly string[]): Args | 'help' {
  let stateDir = STATE_DIR;
  let work = WORK_DIR;
  let readyTimeoutS = READY_TIMEOUT_MS / 1000;
  const keys: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const value = argv[i + 1];
    if (arg !== '--state-dir' && arg !== '--work' && arg !== '--keys' && arg !== '--ready-timeout')
      throw new UsageError(`unknown argument ${arg}`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    i += 1;
    if (arg === '--ready-timeout') {
      readyTimeoutS = Number(value);
      if (!Number.isInteger(readyTimeoutS) || readyTimeoutS < 1 || readyTimeoutS > 3600)
        throw new UsageError(`--ready-timeout ${value} is not a whole number of seconds from 1 to 3600`);
    } else if (arg === '--state-dir') stateDir = value;
    else if (arg === '--work') work = value;
    else keys.push(value);
  }
  return {
    stateDir,
    work,
    readyTimeoutS,
    keys: keys.length > 0 ? keys : [`${ETC_DIR}/${UPDATE_KEYS_FOLDER}`, PACKAGE_UPDATE_KEYS],
  };
}

export async function updateInstallMain(argv: readonly string[], io: Io): Promise<number> {
  let args: Args | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ec2led update-install: ${error.message}\n\n${UPDATE_INSTALL_USAGE}`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(UPDATE_INSTALL_USAGE);
    return 0;
  }
  const log = createLogger({ level: 'info', write: (line) => io.stderr(line) });
  const arch = debianArch();
  if (arch === undefined) {
    log.error('no ec2-led package exists for this architecture', { arch: process.arch });
    return 1;
  }
  const { keys, skipped } = await loadUpdateKeys(args.keys);
  if (skipped.length > 0) log.warn('update keys skipped', { files: skipped.slice(0, 5) });
  try {
    const outcome = await runInstaller({
      spool: spoolDir(args.stateDir),
      work: args.work,
      arch,
      keys,
      readyTimeoutMs: args.readyTimeoutS * 1000,
      system: realInstallerSystem({
        stateDir: args.stateDir,
        log: (message, context) => log.info(message, context),
      }),
    });
    log.info(outcome === undefined ? 'no update to install' : 'update done', { outcome });
    return 0;
  } catch (error) {
    // The journal holds the step: the next start (the path unit, or a boot) resumes there.
    log.error('installer failed; the journal resumes it on the next start', {
      error: (error as Error).message,
    });
    return 1;
  }
}
