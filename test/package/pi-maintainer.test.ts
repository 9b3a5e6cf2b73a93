/**
 * The .deb's maintainer scripts (device/debian/) under the real dpkg of this machine: small packages
 * with those scripts and a stub payload, installed, upgraded, downgraded, removed and purged with
 * `dpkg --root TREE --force-script-chrootless`, which runs the scripts here with $DPKG_ROOT=TREE.
 * The account and systemd commands are fakes on PATH that act on TREE and log each call; systemd
 * counts as running (TREE/run/systemd/system exists). Needs root, like dpkg (CI runs as root).
 * What this cannot show: the scripts under dpkg on arm64 with systemd as PID 1.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UDEV_RULE_PATH } from '../../device/commands/service/board-access.ts';
import {
  ETC_DIR,
  ROOT_DROP_IN_PATH,
  SERVICE_USER,
  STATE_DIR,
  UNIT_PATH,
} from '../../device/commands/service/unit.ts';
import { ROOT } from '../../scripts/lambda-bundle.ts';
import { controlFile } from '../../scripts/package-pi.ts';

const SCRIPTS = ['postinst', 'prerm', 'postrm'] as const;

/** Fakes of the commands the scripts run; each logs `name args` to $DPKG_ROOT/calls.log. */
const FAKES: Record<string, string> = {
  getent: `case "$1" in passwd) f=passwd;; group) f=group;; *) exit 2;; esac
grep "^$2:" "$DPKG_ROOT/etc/$f"`,
  adduser: `echo "ec2led:x:999:999:ec2-led agent:/var/lib/ec2led:/usr/sbin/nologin" >> "$DPKG_ROOT/etc/passwd"
echo "ec2led:x:999:" >> "$DPKG_ROOT/etc/group"`,
  deluser: `sed -i '/^ec2led:/d' "$DPKG_ROOT/etc/passwd"`,
  delgroup: `sed -i '/^ec2led:/d' "$DPKG_ROOT/etc/group"`,
  chown: '',
  systemctl: `[ "$2" != is-enabled ] || [ -L "$DPKG_ROOT/etc/systemd/system/multi-user.target.wants/ec2led.service" ]`,
  'deb-systemd-invoke': '',
};

let work: string;
let tree: string;
let bin: string;
const debs: Record<string, string> = {};

function stubDeb(version: string): string {
  const dir = join(work, `build-${version}`);
  mkdirSync(join(dir, 'DEBIAN'), { recursive: true });
  mkdirSync(join(dir, 'usr/bin'), { recursive: true });
  mkdirSync(join(dir, 'usr/lib/ec2-led'), { recursive: true });
  writeFileSync(join(dir, 'usr/lib/ec2-led/VERSION'), `${version}\n`);
  // The stub command logs like the fakes: prerm runs "$DPKG_ROOT/usr/bin/ec2led" blank.
  writeFileSync(join(dir, 'usr/bin/ec2led'), '#!/bin/sh\necho "ec2led $*" >> "$DPKG_ROOT/calls.log"\n', {
    mode: 0o755,
  });
  writeFileSync(join(dir, 'DEBIAN/control'), controlFile({ version, installedSizeKiB: 8 }));
  for (const script of SCRIPTS) {
    copyFileSync(join(ROOT, 'device/debian', script), join(dir, 'DEBIAN', script));
    chmodSync(join(dir, 'DEBIAN', script), 0o755);
  }
  const deb = join(work, `ec2-led_${version}_arm64.deb`);
  const built = spawnSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', dir, deb], {
    encoding: 'utf8',
  });
  expect(built.stderr).toBe('');
  return deb;
}

function dpkg(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(
    'dpkg',
    [
      `--root=${tree}`,
      '--force-script-chrootless',
      '--force-architecture',
      '--force-depends',
      '--force-downgrade',
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 60_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The calls logged since the last look, then the log is emptied. */
function calls(): string[] {
  const log = join(tree, 'calls.log');
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  rmSync(log);
  return lines.map((line) => line.replaceAll(tree, 'TREE'));
}

const file = (path: string) => join(tree, path);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ec2led-dpkg-'));
  tree = join(work, 'tree');
  for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'etc', 'run/systemd/system']) {
    mkdirSync(join(tree, dir), { recursive: true });
  }
  for (const name of ['var/lib/dpkg/status', 'var/lib/dpkg/available', 'etc/passwd', 'etc/group']) {
    writeFileSync(join(tree, name), '');
  }
  bin = join(work, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(FAKES)) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$DPKG_ROOT/calls.log"\n${body}\n`, {
      mode: 0o755,
    });
  }
  for (const version of ['0.1.0', '0.2.0']) debs[version] = stubDeb(version);
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the maintainer scripts under dpkg', () => {
  it('name the paths, user and unit of device/commands/service', () => {
    const postrm = readFileSync(join(ROOT, 'device/debian/postrm'), 'utf8');
    for (const path of [
      ETC_DIR,
      STATE_DIR,
      UNIT_PATH,
      UDEV_RULE_PATH,
      ROOT_DROP_IN_PATH.replace(/\/[^/]+$/, ''),
    ]) {
      expect(postrm, path).toContain(`"$DPKG_ROOT${path}"`);
    }
    expect(readFileSync(join(ROOT, 'device/debian/postinst'), 'utf8')).toContain(
      `--home ${STATE_DIR} --no-create-home`,
    );
    expect(postrm).toContain(`deluser --quiet --system ${SERVICE_USER}`);
  });

  it('install creates the user and the state folder, and starts nothing before ec2led setup', () => {
    const result = dpkg('-i', debs['0.1.0'] as string);
    expect(result.status, result.output).toBe(0);
    expect(readFileSync(file('etc/passwd'), 'utf8')).toMatch(/^ec2led:x:999:999:/);
    expect(statSync(file('var/lib/ec2led')).mode & 0o7777).toBe(0o750);
    expect(calls()).toEqual([
      'getent passwd ec2led',
      'adduser --quiet --system --group --home /var/lib/ec2led --no-create-home --shell /usr/sbin/nologin --gecos ec2-led agent ec2led',
      'chown ec2led:ec2led TREE/var/lib/ec2led',
      'systemctl --system daemon-reload',
      'systemctl --quiet is-enabled ec2led.service',
    ]);
  });

  it('upgrade keeps config, slots and fleet file and restarts the enabled agent; so does a downgrade', () => {
    // What ec2led setup leaves: the bundle, the agent's state, the enabled unit.
    mkdirSync(file('etc/ec2led'));
    writeFileSync(file('etc/ec2led/config.json'), '{"mine":true}\n');
    writeFileSync(file('var/lib/ec2led/slots.json'), '{"slots":1}\n');
    writeFileSync(file('var/lib/ec2led/fleet.json'), '{"fleet":1}\n');
    mkdirSync(file('etc/systemd/system/multi-user.target.wants'), { recursive: true });
    symlinkSync(
      '/lib/systemd/system/ec2led.service',
      file('etc/systemd/system/multi-user.target.wants/ec2led.service'),
    );
    for (const version of ['0.2.0', '0.1.0']) {
      const result = dpkg('-i', debs[version] as string);
      expect(result.status, result.output).toBe(0);
      expect(readFileSync(file('usr/lib/ec2-led/VERSION'), 'utf8')).toBe(`${version}\n`);
      expect(readFileSync(file('etc/ec2led/config.json'), 'utf8')).toBe('{"mine":true}\n');
      expect(readFileSync(file('var/lib/ec2led/slots.json'), 'utf8')).toBe('{"slots":1}\n');
      expect(readFileSync(file('var/lib/ec2led/fleet.json'), 'utf8')).toBe('{"fleet":1}\n');
      // Not stopped by the old prerm, restarted by the new postinst; the user is not made twice.
      expect(calls()).toEqual([
        'getent passwd ec2led',
        'systemctl --system daemon-reload',
        'systemctl --quiet is-enabled ec2led.service',
        'deb-systemd-invoke restart ec2led.service',
        'systemctl enable --now ec2led-update.path',
      ]);
    }
  });

  it('remove stops the agent and blanks the board, and keeps config, state and user', () => {
    const result = dpkg('-r', 'ec2-led');
    expect(result.status, result.output).toBe(0);
    expect(calls()).toEqual([
      'deb-systemd-invoke stop ec2led.service',
      'ec2led blank --config TREE/etc/ec2led/config.json',
      'systemctl --system daemon-reload',
    ]);
    expect(existsSync(file('usr/bin/ec2led'))).toBe(false);
    expect(readFileSync(file('etc/ec2led/config.json'), 'utf8')).toBe('{"mine":true}\n');
    expect(existsSync(file('var/lib/ec2led/slots.json'))).toBe(true);
    expect(readFileSync(file('etc/passwd'), 'utf8')).toContain('ec2led:');
  });

  it('purge removes user, group, config, state, unit overrides and the enable link', () => {
    mkdirSync(file(ROOT_DROP_IN_PATH.replace(/\/[^/]+$/, '')), { recursive: true });
    writeFileSync(file(ROOT_DROP_IN_PATH), '[Service]\n');
    writeFileSync(file(UNIT_PATH), '[Unit]\n');
    mkdirSync(file('etc/udev/rules.d'), { recursive: true });
    writeFileSync(file(UDEV_RULE_PATH), '# rule\n');
    const result = dpkg('-P', 'ec2-led');
    expect(result.status, result.output).toBe(0);
    for (const path of [ETC_DIR, STATE_DIR, UNIT_PATH, ROOT_DROP_IN_PATH, UDEV_RULE_PATH]) {
      expect(existsSync(file(path)), path).toBe(false);
    }
    expect(existsSync(file('etc/systemd/system/multi-user.target.wants/ec2led.service'))).toBe(false);
    expect(readFileSync(file('etc/passwd'), 'utf8')).not.toContain('ec2led:');
    expect(readFileSync(file('etc/group'), 'utf8')).not.toContain('ec2led:');
    expect(calls()).toEqual([
      'getent passwd ec2led',
      'deluser --quiet --system ec2led',
      'getent group ec2led',
      'delgroup --quiet --system ec2led',
      'systemctl --system daemon-reload',
    ]);
  });
});
