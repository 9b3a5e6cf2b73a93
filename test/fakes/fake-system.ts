/**
 * A fake machine for `ec2led setup`: systemd-sysusers (`--inline` u and m lines), useradd, groupadd,
 * usermod and userdel edit `${root}/etc/passwd` and `${root}/etc/group` as the real commands do;
 * systemctl keeps the set of enabled and active units (and can run a hook when a unit starts);
 * journalctl serves given lines; dtparam and modprobe run a hook a test sets (to make a device appear,
 * as on a Pi whose running kernel takes the parameter). Every command is also recorded, in order, for
 * tests that check what a re-run did not do again.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, System } from '../../device/commands/service/system.ts';

export interface FakeSystem extends System {
  readonly commands: string[];
  readonly enabled: Set<string>;
  readonly active: Set<string>;
  /** Lines journalctl prints. */
  journal: string[];
  /** Commands (first word plus first argument, e.g. "systemctl enable") that fail with exit 1. */
  readonly failing: Set<string>;
  /** Called when systemctl starts or restarts a unit. */
  onStart: ((unit: string) => void | Promise<void>) | undefined;
  /** What `timedatectl show -p NTPSynchronized --value` answers; default true. */
  ntpSynchronized: boolean;
  /** A running machine (default) or an image. */
  live: boolean;
  /** Run by `dtparam ARG` / `modprobe ARG`, keyed by the whole command line, e.g. "dtparam spi=on". */
  readonly hooks: Map<string, () => void>;
}

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string): CommandResult => ({ code: 1, stdout: '', stderr });

export function fakeSystem(root: string): FakeSystem {
  const etc = join(root, 'etc');
  mkdirSync(etc, { recursive: true });
  for (const [file, text] of [
    ['passwd', 'root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n'],
    ['group', 'root:x:0:\npi:x:1000:\nspi:x:999:pi\n'],
  ] as const) {
    if (!existsSync(join(etc, file))) writeFileSync(join(etc, file), text);
  }
  const read = (file: string) =>
    readFileSync(join(etc, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  const write = (file: string, lines: string[]) => writeFileSync(join(etc, file), `${lines.join('\n')}\n`);
  const nextSystemId = () => {
    const used = new Set([...read('passwd'), ...read('group')].map((line) => Number(line.split(':')[2])));
    let id = 998;
    while (used.has(id)) id -= 1;
    return id;
  };

  const self: FakeSystem = {
    commands: [],
    enabled: new Set(),
    active: new Set(),
    journal: [],
    failing: new Set(),
    onStart: undefined,
    ntpSynchronized: true,
    live: true,
    hooks: new Map(),
    async run(command, args) {
      self.commands.push([command, ...args].join(' '));
      if (self.failing.has(`${command} ${args[0]}`)) return fail(`${command} ${args[0]}: simulated failure`);
      const last = args[args.length - 1] as string;
      switch (command) {
        case 'groupadd': {
          if (read('group').some((line) => line.startsWith(`${last}:`)))
            return fail(`group '${last}' already exists`);
          appendFileSync(join(etc, 'group'), `${last}:x:${nextSystemId()}:\n`);
          return ok();
        }
        case 'systemd-sysusers': {
          if (args[0] !== '--inline') return fail('the fake systemd-sysusers reads --inline lines only');
          for (const line of args.slice(1)) {
            const words = (line.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, ''));
            const [type, name = '', second = '', , home = '/', shell = '/usr/sbin/nologin'] = words;
            const has = (file: string, entry: string) => read(file).some((l) => l.startsWith(`${entry}:`));
            if (type === 'u' && !has('passwd', name)) {
              const id = nextSystemId();
              appendFileSync(join(etc, 'group'), `${name}:x:${id}:\n`);
              appendFileSync(
                join(etc, 'passwd'),
                `${name}:x:${id}:${id}:${words[3] ?? ''}:${home}:${shell}\n`,
              );
            } else if (type === 'm') {
              if (!has('passwd', name)) return fail(`the fake systemd-sysusers will not create user ${name}`);
              if (!has('group', second))
                appendFileSync(join(etc, 'group'), `${second}:x:${nextSystemId()}:\n`);
              const lines = read('group').map((l) => {
                const fields = l.split(':');
                if (fields[0] !== second) return l;
                const members = (fields[3] ?? '').split(',').filter((m) => m !== '');
                if (!members.includes(name)) members.push(name);
                fields[3] = members.join(',');
                return fields.join(':');
              });
              write('group', lines);
            } else if (type !== 'u') return fail(`the fake systemd-sysusers does not know ${line}`);
          }
          return ok();
        }
        case 'dtparam':
        case 'modprobe': {
          self.hooks.get([command, ...args].join(' '))?.();
          return ok();
        }
        case 'useradd': {
          if (read('passwd').some((line) => line.startsWith(`${last}:`)))
            return fail(`user '${last}' already exists`);
          const id = nextSystemId();
          const home = args[args.indexOf('--home-dir') + 1];
          appendFileSync(join(etc, 'group'), `${last}:x:${id}:\n`);
          appendFileSync(join(etc, 'passwd'), `${last}:x:${id}:${id}::${home}:/usr/sbin/nologin\n`);
          return ok();
        }
        case 'usermod': {
          const groups = (args[args.indexOf('--groups') + 1] ?? '').split(',');
          if (!read('passwd').some((line) => line.startsWith(`${last}:`)))
            return fail(`user '${last}' does not exist`);
          const lines = read('group');
          for (const group of groups) {
            const at = lines.findIndex((line) => line.startsWith(`${group}:`));
            if (at < 0) return fail(`group '${group}' does not exist`);
            const fields = (lines[at] as string).split(':');
            const members = (fields[3] ?? '').split(',').filter((m) => m !== '');
            if (!members.includes(last)) members.push(last);
            fields[3] = members.join(',');
            lines[at] = fields.join(':');
          }
          write('group', lines);
          return ok();
        }
        case 'userdel': {
          write(
            'passwd',
            read('passwd').filter((line) => !line.startsWith(`${last}:`)),
          );
          write(
            'group',
            read('group').filter((line) => !line.startsWith(`${last}:`)),
          );
          return ok();
        }
        case 'systemctl': {
          const [verb] = args;
          if (verb === 'daemon-reload' || verb === 'reboot') return ok();
          if (verb === 'is-enabled') {
            return self.enabled.has(last) ? ok('enabled\n') : { code: 1, stdout: 'disabled\n', stderr: '' };
          }
          if (verb === 'enable') {
            self.enabled.add(last);
            return ok();
          }
          if (verb === 'restart' || verb === 'start') {
            self.active.add(last);
            await self.onStart?.(last);
            return ok();
          }
          if (verb === 'disable') {
            if (!self.enabled.has(last)) return fail(`Unit file ${last} does not exist.`);
            self.enabled.delete(last);
            if (args.includes('--now')) self.active.delete(last);
            return ok();
          }
          return fail(`fake systemctl does not know ${verb}`);
        }
        case 'journalctl':
          return ok(self.journal.map((line) => `${line}\n`).join(''));
        case 'udevadm':
          return ok();
        case 'timedatectl':
          return ok(self.ntpSynchronized ? 'yes\n' : 'no\n');
        default:
          return fail(`${command}: command not found`);
      }
    },
  };
  return self;
}
