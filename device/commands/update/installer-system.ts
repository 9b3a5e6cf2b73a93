/**
 * The real world of the root installer (installer.ts): files, dpkg, systemctl and the agent's status
 * socket. Every command has a timeout; nothing here decides anything.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, copyFile, cp, lstat, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UPDATE_PACKAGE_MAX_BYTES } from '../../../shared/update-job.ts';
import { readJsonFile, writeJsonAtomic } from '../../agent/update/spool.ts';
import { hashFile } from '../../agent/update/verify.ts';
import { fetchBoard, socketPath } from '../../outputs/web/status-socket.ts';
import { UNIT_NAME } from '../service/unit.ts';
import type { InstallerSystem } from './installer.ts';

/** Where the .deb installs everything it ships but the unit, the command and the docs (scripts/package-pi.ts PREFIX). */
export const INSTALLED_TREE = '/usr/lib/ec2-led';
export const PACKAGE_NAME = 'ec2-led';
const DPKG_TIMEOUT_MS = 10 * 60_000;

function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else {
        const said = `${stderr}`.trim().split('\n').slice(-5).join(' | ');
        reject(new Error(`${command} ${args.join(' ')}: ${said || error.message}`));
      }
    });
  });
}

export interface RealSystemOptions {
  /** The agent's state folder (its status socket). */
  readonly stateDir: string;
  readonly log: (message: string, context?: Record<string, unknown>) => void;
  /** Default INSTALLED_TREE. */
  readonly tree?: string;
}

export function realInstallerSystem(options: RealSystemOptions): InstallerSystem {
  const tree = options.tree ?? INSTALLED_TREE;
  return {
    readJson: readJsonFile,
    writeJson: (path, value) => writeJsonAtomic(path, value, 0o600),
    async writeResult(path, value) {
      // Root writing into the agent's folder: a new file of an unguessable name (O_EXCL: never
      // through a link the agent planted), owned by the agent (it removes it once reported) through
      // its descriptor, then renamed over the result (a rename replaces a link, never follows it).
      const owner = await stat(dirname(path));
      const temporary = `${path}.${randomUUID()}.tmp`;
      const handle = await open(temporary, 'wx', 0o640);
      try {
        await handle.writeFile(`${JSON.stringify(value)}\n`);
        await handle.chown(owner.uid, owner.gid);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    },
    exists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    async copyFile(from, to) {
      // The spool's package is the agent's: a regular file of a package's size, not a link or a FIFO.
      const info = await lstat(from);
      if (!info.isFile() || info.size > UPDATE_PACKAGE_MAX_BYTES)
        throw new Error(`${from} is not a regular file of at most ${UPDATE_PACKAGE_MAX_BYTES} bytes`);
      await copyFile(from, to);
    },
    rename: (from, to) => rename(from, to),
    remove: (path) => rm(path, { recursive: true, force: true }),
    hashFile,
    async installedVersion() {
      try {
        const out = await run(
          'dpkg-query',
          ['-W', '-f=${db:Status-Abbrev}|${Version}', PACKAGE_NAME],
          30_000,
        );
        const [status = '', version = ''] = out.split('|');
        return status.startsWith('ii') && version !== '' ? version.trim() : undefined;
      } catch {
        return undefined;
      }
    },
    async installPackage(file) {
      // A run cut short (power loss) leaves packages half-configured: finish those first.
      await run('dpkg', ['--configure', '-a'], DPKG_TIMEOUT_MS).catch((error: Error) =>
        options.log('dpkg --configure -a failed', { error: error.message }),
      );
      await run('dpkg', ['--force-confold', '-i', file], DPKG_TIMEOUT_MS);
    },
    async saveTree(to) {
      await rm(`${to}.tmp`, { recursive: true, force: true });
      await cp(tree, `${to}.tmp`, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      await rename(`${to}.tmp`, to);
    },
    async restoreTree(from) {
      const incoming = `${tree}.ec2led-restore`;
      await rm(incoming, { recursive: true, force: true });
      await cp(from, incoming, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      await rm(tree, { recursive: true, force: true });
      await rename(incoming, tree);
    },
    async restartAgent() {
      // --no-block: a Type=notify start waits for READY=1, which the poll below looks for itself.
      await run('systemctl', ['--no-block', 'restart', UNIT_NAME], 60_000);
    },
    async agentProblem() {
      // is-active prints the state and exits non-zero for any but "active": read stdout either way.
      const state = await new Promise<string>((resolve) => {
        execFile('systemctl', ['is-active', UNIT_NAME], { timeout: 10_000 }, (_error, stdout) =>
          resolve(`${stdout}`.trim().split('\n')[0]?.slice(0, 40) || 'unknown'),
        );
      });
      // `active` only after READY=1 (Type=notify): the agent's watchdog says it started.
      if (state !== 'active') return `${UNIT_NAME} is ${state}`;
      try {
        const board = await fetchBoard(socketPath(options.stateDir), 2_000);
        if (!board.connected) return 'the agent is not connected to MQTT';
        if (!board.synced) return 'the agent is not synced';
        return undefined;
      } catch (error) {
        return `the status socket does not answer (${(error as Error).message})`;
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log: options.log,
  };
}
