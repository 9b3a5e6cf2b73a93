/**
 * The package as a Pi gets it: `npm pack`, `npm install -g` into a temporary prefix (network to the
 * npm registry only), then the installed `ec2led setup BUNDLE --root TREE` with fake systemd-sysusers
 * and systemctl on PATH, every written file, owner and mode checked, and the installed agent run `--once`
 * and `doctor` as the service user against the local fakes. The slowest test of the suite: measured
 * 4.9 min wall, 50 s CPU, on 2 shared cores (most of it waiting on `npm pack` and `npm install`).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lambda-bundle.ts';
import { ALLOW_SCRIPTS } from '../../scripts/package-device.ts';
import { writeFakeBundle } from '../fakes/device-bundle.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';

const COMMANDS = [
  'systemd-sysusers',
  'dtparam',
  'modprobe',
  'useradd',
  'groupadd',
  'usermod',
  'userdel',
  'systemctl',
  'journalctl',
  'udevadm',
  'timedatectl',
];

let work: string;
let prefix: string;
let tree: string;
let bundle: string;
let world: World;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ec2led-packed-'));
  chmodSync(work, 0o755); // the service user runs the installed agent from here
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
  prefix = join(work, 'prefix');
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      `--allow-scripts=${ALLOW_SCRIPTS}`,
      join(work, 'ec2-led-0.1.0.tgz'),
    ],
    { cwd: work, stdio: 'pipe', timeout: 240_000 },
  );
  const shims = join(work, 'shims');
  mkdirSync(shims);
  for (const name of COMMANDS) {
    const shim = join(shims, name);
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    writeFileSync(shim, `#!/bin/sh\nexec ${tsx} ${join(ROOT, 'test/fakes/fake-command.ts')} ${name} "$@"\n`, {
      mode: 0o755,
    });
  }
  env = { ...process.env, PATH: `${shims}:${process.env.PATH}`, SUDO_USER: 'pi' };
  world = await startWorld([instance(1, 'running', 'web-1'), instance(2, 'stopped', 'batch')]);
  bundle = await writeFakeBundle(world, 'terminal');
  tree = join(work, 'tree');
  mkdirSync(tree, { mode: 0o755 });
}, 300_000);

afterAll(async () => {
  await world?.close();
  if (bundle !== undefined) rmSync(dirname(bundle), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command without blocking this process, whose fakes must keep answering. */
function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({
        status: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        stdout,
        stderr,
      });
    });
  });
}

function mode(path: string): string {
  const info = statSync(path);
  return `${info.uid}:${info.gid} ${(info.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

function serviceUser(): { uid: number; gid: number } {
  const line = readFileSync(join(tree, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ec2led:')) as string;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

describe('the packed package, installed globally', () => {
  it('installs the service under --root with every file, owner and mode, and runs the agent --once as ec2led', async () => {
    const ec2led = join(prefix, 'bin/ec2led');
    const install = spawnSync(ec2led, ['setup', bundle, '--root', tree, '--board', 'none'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(install.stderr).toContain('created system user ec2led');
    expect(install.stderr).toContain(`written and enabled under ${tree}`);
    expect(install.status).toBe(0);
    const { uid, gid } = serviceUser();
    expect(mode(join(tree, 'etc/ec2led'))).toBe(`0:${gid} 0750`);
    for (const file of ['certificate.pem.crt', 'private.pem.key', 'AmazonRootCA1.pem', 'config.json']) {
      expect(mode(join(tree, 'etc/ec2led', file)), file).toBe(`0:${gid} 0640`);
    }
    expect(mode(join(tree, 'var/lib/ec2led'))).toBe(`${uid}:${gid} 0750`);
    expect(mode(join(tree, 'etc/systemd/system/ec2led.service'))).toBe('0:0 0644');
    const unit = readFileSync(join(tree, 'etc/systemd/system/ec2led.service'), 'utf8');
    const bin = join(prefix, 'lib/node_modules/ec2-led/bin/ec2led.js');
    expect(unit).toContain(`ExecStart=${process.execPath} ${bin} agent --config /etc/ec2led/config.json`);
    if (spawnSync('which', ['systemd-analyze']).status === 0) {
      const check = spawnSync(
        'systemd-analyze',
        ['verify', join(tree, 'etc/systemd/system/ec2led.service')],
        {
          encoding: 'utf8',
        },
      );
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
    expect(readFileSync(join(tree, 'fake-commands.log'), 'utf8').trim().split('\n')).toEqual([
      // An empty tree has no user pi to put in the group ec2led.
      'systemd-sysusers --inline u ec2led - "ec2-led agent" /var/lib/ec2led /usr/sbin/nologin',
      // Under --root only what works without a running systemd: no daemon-reload, no restart.
      'systemctl enable systemd-time-wait-sync.service',
      'systemctl enable ec2led.service',
    ]);

    const once = await run(
      ec2led,
      ['agent', '--once', '--config', join(tree, 'etc/ec2led/config.json'), '--display', 'terminal'],
      { env: { ...env, STATE_DIRECTORY: join(tree, 'var/lib/ec2led') }, uid, gid },
    );
    expect(once.stderr).not.toContain('"level":"error"');
    expect(once.status).toBe(0);
    expect(once.stdout).toContain('listed once at');
    expect(once.stdout).toContain('web-1');
    expect(mode(join(tree, 'var/lib/ec2led/slots.json'))).toMatch(new RegExp(`^${uid}:${gid} `));

    const doctor = await run(
      ec2led,
      ['doctor', '--config', join(tree, 'etc/ec2led/config.json'), '--root', tree],
      {
        env,
        uid,
        gid,
      },
    );
    expect(doctor.stdout).not.toMatch(/^FAIL/m);
    expect(doctor.stdout).toMatch(/^ok {3}certificate .*key matches, readable by ec2led$/m);
    expect(doctor.status).toBe(0);
  }, 240_000);
});
