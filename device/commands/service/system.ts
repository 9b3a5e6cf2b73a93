/**
 * The machine `ec2led setup` changes, behind one small interface so tests can fake it: commands
 * (systemctl, systemd-sysusers, userdel, journalctl, udevadm, dtparam, modprobe) run through `run`,
 * and users and groups are read from `${root}/etc/passwd` and `${root}/etc/group`, the files those
 * commands write. System users are local, so no NSS lookup is needed. With a root other than `/` the
 * account commands get `--root` and systemctl `--root=` (enable and disable work offline), which is
 * how an SD-card image is prepared; what needs a running system there (daemon-reload, start, reboot,
 * udevadm, journalctl, dtparam, modprobe) is skipped and succeeds, and `live` is false.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface System {
  /** Runs a command with a time limit; a non-zero exit is a result, not an exception. */
  run(command: string, args: readonly string[]): Promise<CommandResult>;
  /**
   * A running system: services start, devices exist, a reboot reboots. False for a tree under
   * --root (an image), where setup writes and enables but starts and checks nothing.
   */
  readonly live: boolean;
}

const ROOTED = new Set(['useradd', 'groupadd', 'usermod', 'userdel']);
/** Commands that take `--root=DIR` rather than `--root DIR`. */
const ROOTED_EQUALS = new Set(['systemctl', 'systemd-sysusers']);
/** Commands that act on the running kernel or services, skipped under another root. */
const LIVE = new Set(['udevadm', 'journalctl', 'timedatectl', 'dtparam', 'modprobe']);

const OFFLINE_SYSTEMCTL = new Set(['enable', 'disable']);

export function realSystem(root: string, timeoutMs = 60_000): System {
  return {
    live: root === '/',
    run: (command, args) => {
      const live = LIVE.has(command);
      if (root !== '/' && (live || (command === 'systemctl' && !OFFLINE_SYSTEMCTL.has(args[0] ?? '')))) {
        return Promise.resolve({ code: 0, stdout: '', stderr: '' });
      }
      const rooted =
        root === '/'
          ? [...args]
          : ROOTED.has(command)
            ? ['--root', root, ...args]
            : ROOTED_EQUALS.has(command)
              ? [`--root=${root}`, ...args]
              : [...args];
      return new Promise((resolve) => {
        execFile(command, rooted, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
          resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
        });
      });
    },
  };
}

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Names of the supplementary groups (from /etc/group), the primary group included. */
  readonly groups: readonly string[];
  /** Their ids, in the same order. */
  readonly gids: readonly number[];
}

async function lines(path: string): Promise<string[][]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

/** A group's gid, or undefined when it does not exist. */
export async function groupId(root: string, name: string): Promise<number | undefined> {
  const found = (await lines(join(root, 'etc/group'))).find((fields) => fields[0] === name);
  return found === undefined ? undefined : Number(found[2]);
}

/** A user with its groups, or undefined when it does not exist. */
export async function account(root: string, name: string): Promise<Account | undefined> {
  const user = (await lines(join(root, 'etc/passwd'))).find((fields) => fields[0] === name);
  if (user === undefined) return undefined;
  const gid = Number(user[3]);
  const member = (await lines(join(root, 'etc/group'))).filter(
    (fields) => Number(fields[2]) === gid || (fields[3] ?? '').split(',').includes(name),
  );
  const groups = member.map((fields) => fields[0] as string);
  return { name, uid: Number(user[2]), gid, groups, gids: member.map((fields) => Number(fields[2])) };
}

/** Runs a command and throws an Error naming it and its output when it fails. */
export async function must(system: System, command: string, args: readonly string[]): Promise<string> {
  const result = await system.run(command, args);
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new Error(`\`${[command, ...args].join(' ')}\` failed (exit ${result.code}): ${said}`);
  }
  return result.stdout;
}
